import { describe, expect, it } from 'vitest'
import { startReply } from '../../../../bots/shared/start-reply.js'

async function* events(...values: string[]): AsyncGenerator<string> {
  for (const v of values) yield v
}

describe('startReply', () => {
  it('is undefined when the core yields nothing (it decided not to answer)', async () => {
    expect(await startReply(events())).toBeUndefined()
  })

  it('hands back the whole stream, first event included', async () => {
    const stream = await startReply(events('accepted', 'delta', 'done'))
    const seen: string[] = []
    for await (const e of stream ?? []) seen.push(e)
    expect(seen).toEqual(['accepted', 'delta', 'done'])
  })

  it('passes an early stop of the renderer on to the core stream', async () => {
    let finished = false
    async function* core(): AsyncGenerator<string> {
      try {
        yield 'accepted'
        yield 'delta'
        yield 'more'
      } finally {
        finished = true
      }
    }
    const stream = await startReply(core())
    for await (const e of stream ?? []) if (e === 'delta') break
    expect(finished).toBe(true)
  })

  it('closes the core stream when the renderer stops right after the first event', async () => {
    let finished = false
    async function* core(): AsyncGenerator<string> {
      try {
        yield 'accepted'
        yield 'delta'
      } finally {
        finished = true
      }
    }
    const stream = await startReply(core())
    for await (const _ of stream ?? []) break
    expect(finished).toBe(true)
  })
})
