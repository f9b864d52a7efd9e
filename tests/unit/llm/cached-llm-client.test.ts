import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import type { LlmChatRequest, LlmClient, LlmEvent } from '../../../src/core/ports/llm.js'
import { BoundedCache } from '../../../src/llm/bounded-cache.js'
import { CachedLlmClient, isDeterministic } from '../../../src/llm/cached-llm-client.js'
import { LlmMetrics } from '../../../src/llm/llm-metrics.js'

/** A scripted inner client that counts calls. */
function fakeInner(script: (call: number) => LlmEvent[] | Error): LlmClient & { calls: number } {
  const inner = {
    calls: 0,
    async *chat(): AsyncGenerator<LlmEvent> {
      inner.calls += 1
      const out = script(inner.calls)
      if (out instanceof Error) {
        yield { type: 'delta', text: 'partial' }
        throw out
      }
      yield* out
    },
    modelInfo: async () => ({ contextLength: 4096 }),
    health: async () => [],
  }
  return inner
}

const reply = (fallbackUsed = false): LlmEvent[] => [
  { type: 'started', model: 'llama3.2', host: 'h' },
  { type: 'delta', text: 'Hel' },
  { type: 'delta', text: 'lo' },
  {
    type: 'done',
    text: 'Hello',
    model: 'llama3.2',
    host: 'h',
    fallbackUsed,
    promptTokens: 3,
    completionTokens: 2,
    totalDurationMs: 10,
    tokensPerSecond: 200,
    cached: false,
  },
]

const request = (options: LlmChatRequest['options']): LlmChatRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'hi' }],
  options,
  tier: 'free',
  userKey: 'u',
})

async function drain(stream: AsyncIterable<LlmEvent>): Promise<LlmEvent[]> {
  const out: LlmEvent[] = []
  for await (const e of stream) out.push(e)
  return out
}

function cachedOver(inner: LlmClient) {
  return new CachedLlmClient({
    inner,
    replies: new BoundedCache({ maxKeys: 10, ttlSeconds: 60 }),
    metadata: new BoundedCache({ maxKeys: 10, ttlSeconds: 60 }),
    metrics: new LlmMetrics(new Registry()),
  })
}

describe('CachedLlmClient', () => {
  it('treats temperature 0 or a fixed seed as deterministic', () => {
    expect(isDeterministic(request({ temperature: 0 }))).toBe(true)
    expect(isDeterministic(request({ seed: 7, temperature: 0.9 }))).toBe(true)
    expect(isDeterministic(request({ temperature: 0.9 }))).toBe(false)
    expect(isDeterministic(request(undefined))).toBe(false)
  })

  it('forgetUser drops the replies a person made or was served, and only those', async () => {
    const inner = fakeInner(() => reply())
    const cached = cachedOver(inner)
    const ask = (userKey: string, content: string) =>
      drain(
        cached.chat({
          ...request({ temperature: 0 }),
          userKey,
          messages: [{ role: 'user', content }],
        }),
      )
    await ask('ann', 'ann private question')
    await ask('bob', 'shared greeting')
    await ask('ann', 'shared greeting') // served from the cache to ann too
    await ask('bob', 'bob question')
    expect(inner.calls).toBe(3)
    expect(cached.forgetUser('ann')).toBe(2)
    expect(cached.forgetUser('ann')).toBe(0)
    await ask('ann', 'ann private question')
    await ask('bob', 'shared greeting')
    expect(inner.calls).toBe(5)
    await ask('bob', 'bob question')
    expect(inner.calls).toBe(5)
  })

  it('replays a deterministic reply as the same deltas with cached: true', async () => {
    const inner = fakeInner(() => reply())
    const cached = cachedOver(inner)
    const first = await drain(cached.chat(request({ temperature: 0 })))
    const second = await drain(cached.chat(request({ temperature: 0 })))
    expect(inner.calls).toBe(1)
    expect(second.map((e) => (e.type === 'delta' ? e.text : e.type))).toEqual([
      'started',
      'Hel',
      'lo',
      'done',
    ])
    expect(second.at(-1)).toMatchObject({ type: 'done', cached: true, text: 'Hello' })
    expect(first.at(-1)).toMatchObject({ cached: false })
  })

  it('keys on the options too', async () => {
    const inner = fakeInner(() => reply())
    const cached = cachedOver(inner)
    await drain(cached.chat(request({ temperature: 0, num_ctx: 2048 })))
    await drain(cached.chat(request({ num_ctx: 2048, temperature: 0 })))
    await drain(cached.chat(request({ temperature: 0, num_ctx: 4096 })))
    expect(inner.calls).toBe(2)
  })

  it('does not keep failed or fallback replies', async () => {
    const inner = fakeInner((call) => (call === 1 ? new Error('boom') : reply(call === 2)))
    const cached = cachedOver(inner)
    await expect(drain(cached.chat(request({ temperature: 0 })))).rejects.toThrow('boom')
    await drain(cached.chat(request({ temperature: 0 })))
    await drain(cached.chat(request({ temperature: 0 })))
    const last = await drain(cached.chat(request({ temperature: 0 })))
    expect(inner.calls).toBe(3)
    expect(last.at(-1)).toMatchObject({ cached: true })
  })

  it('passes creative requests straight through', async () => {
    const inner = fakeInner(() => reply())
    const cached = cachedOver(inner)
    await drain(cached.chat(request({ temperature: 0.8 })))
    await drain(cached.chat(request({ temperature: 0.8 })))
    expect(inner.calls).toBe(2)
  })
})
