import { describe, expect, it } from 'vitest'
import type { LlmEvent } from '../../../src/core/ports/llm.js'
import { llmEventStream } from '../../../src/llm/llm-event-stream.js'

const started: LlmEvent = { type: 'started', model: 'm', host: 'h' }
const done: LlmEvent = {
  type: 'done',
  text: 'hi',
  model: 'm',
  host: 'h',
  fallbackUsed: false,
  promptTokens: 1,
  completionTokens: 1,
  totalDurationMs: 1,
  tokensPerSecond: 1,
  cached: false,
}

/** A producer that emits `events`, then waits until its signal aborts or `release` is called. */
function parked(events: readonly LlmEvent[]) {
  const seen: { signal?: AbortSignal } = {}
  let release = () => {}
  const produce = async (signal: AbortSignal, emit: (event: LlmEvent) => void) => {
    seen.signal = signal
    for (const event of events) emit(event)
    await new Promise<void>((resolve) => {
      release = resolve
      signal.addEventListener('abort', () => resolve(), { once: true })
    })
  }
  return { seen, produce, release: () => release() }
}

describe('llmEventStream', () => {
  it('starts the producer only when iteration begins and ends when it resolves', async () => {
    let calls = 0
    const stream = llmEventStream(undefined, async (_signal, emit) => {
      calls += 1
      emit(started)
      emit({ type: 'delta', text: 'hi' })
      emit(done)
    })
    expect(calls).toBe(0)
    const types: string[] = []
    for await (const event of stream) types.push(event.type)
    expect(calls).toBe(1)
    expect(types).toEqual(['started', 'delta', 'done'])
  })

  it('throws what the producer rejects with, after the events before it', async () => {
    const types: string[] = []
    const stream = llmEventStream(undefined, async (_signal, emit) => {
      emit(started)
      throw new Error('boom')
    })
    await expect(
      (async () => {
        for await (const event of stream) types.push(event.type)
      })(),
    ).rejects.toThrow('boom')
    expect(types).toEqual(['started'])
  })

  it('aborts the producer when the consumer stops before done, and waits for it', async () => {
    const producer = parked([started])
    for await (const event of llmEventStream(undefined, producer.produce)) {
      expect(event.type).toBe('started')
      break
    }
    expect(producer.seen.signal?.aborted).toBe(true)
  })

  it('does not abort the producer when the consumer stops after done', async () => {
    const producer = parked([started, done])
    let exited = false
    const consumer = (async () => {
      for await (const event of llmEventStream(undefined, producer.produce)) {
        if (event.type === 'done') break
      }
      exited = true
    })()
    await expect.poll(() => producer.seen.signal !== undefined).toBe(true)
    expect(exited).toBe(false)
    producer.release()
    await consumer
    expect(exited).toBe(true)
    expect(producer.seen.signal?.aborted).toBe(false)
  })

  it("aborts the producer's signal when the caller's signal aborts", async () => {
    const caller = new AbortController()
    const producer = parked([])
    const consumer = (async () => {
      for await (const _event of llmEventStream(caller.signal, producer.produce)) {
        // no events
      }
    })()
    await expect.poll(() => producer.seen.signal !== undefined).toBe(true)
    caller.abort()
    await consumer
    expect(producer.seen.signal?.aborted).toBe(true)
  })
})
