import { describe, expect, it } from 'vitest'
import { EventChannel } from '../../../src/llm/event-channel.js'

describe('EventChannel', () => {
  it('delivers items pushed before and after the consumer waits, then ends', async () => {
    const channel = new EventChannel<number>()
    channel.push(1)
    const seen: number[] = []
    const consumer = (async () => {
      for await (const n of channel) seen.push(n)
    })()
    await Promise.resolve()
    channel.push(2)
    channel.push(3)
    channel.end()
    await consumer
    expect(seen).toEqual([1, 2, 3])
  })

  it('throws the failure after the items pushed before it', async () => {
    const channel = new EventChannel<number>()
    channel.push(1)
    channel.fail(new Error('boom'))
    channel.push(2)
    const seen: number[] = []
    await expect(
      (async () => {
        for await (const n of channel) seen.push(n)
      })(),
    ).rejects.toThrow('boom')
    expect(seen).toEqual([1])
  })

  it('runs the early-exit cleanup when the consumer breaks, not when it reaches the end', async () => {
    let cleanups = 0
    const early = new EventChannel<number>().onEarlyExit(async () => {
      cleanups += 1
    })
    early.push(1)
    early.push(2)
    for await (const n of early) if (n === 1) break
    expect(cleanups).toBe(1)

    const full = new EventChannel<number>().onEarlyExit(async () => {
      cleanups += 1
    })
    full.push(1)
    full.end()
    for await (const _ of full) {
    }
    expect(cleanups).toBe(1)
  })
})
