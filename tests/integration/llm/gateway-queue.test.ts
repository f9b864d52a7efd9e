import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LlmChatRequest, LlmEvent } from '../../../src/core/ports/llm.js'
import type { LlmGateway } from '../../../src/llm/create-llm-gateway.js'
import { type OllamaDouble, startOllamaDouble } from '../../doubles/ollama-double.js'
import { chatRequest, collect, doneOf, eventually, testGateway, text } from './helpers.js'

/** The last user message of each generation the double received, in arrival order. */
const arrivals = (double: OllamaDouble) =>
  double.requestsTo('/api/chat').map((r) => {
    const body = r.body as { messages: { content: string }[] }
    return body.messages.at(-1)?.content
  })

const ask = (content: string, overrides: Partial<LlmChatRequest> = {}) =>
  chatRequest({ messages: [{ role: 'user', content }], userKey: content, ...overrides })

describe('LLM gateway queue and cache', () => {
  let double: OllamaDouble
  let gateway: LlmGateway

  beforeEach(async () => {
    double = await startOllamaDouble({
      loaded: ['llama3.2'],
      reply: (r) => `re: ${r.messages.at(-1)?.content}`,
    })
  })
  afterEach(async () => {
    await gateway.close()
    await double.close()
  })

  it('serves premium requests before waiting free ones', async () => {
    gateway = testGateway({ hosts: [double.url], concurrency: 1 }).gateway
    double.set({ paused: true })
    const runs = [collect(gateway.chat(ask('busy')))]
    await eventually(() => double.active === 1)
    runs.push(collect(gateway.chat(ask('free-1'))))
    runs.push(collect(gateway.chat(ask('free-2'))))
    runs.push(collect(gateway.chat(ask('premium-1', { tier: 'premium' }))))
    double.set({ paused: false })
    await Promise.all(runs)
    expect(arrivals(double)).toEqual(['busy', 'premium-1', 'free-1', 'free-2'])
  })

  it("keeps one user's burst from starving another user of the same tier", async () => {
    gateway = testGateway({ hosts: [double.url], concurrency: 1 }).gateway
    double.set({ paused: true })
    const burst = ['a-1', 'a-2', 'a-3', 'a-4'].map((c) =>
      collect(gateway.chat(ask(c, { userKey: 'alice' }))),
    )
    await eventually(() => double.active === 1)
    const bob = collect(gateway.chat(ask('b-1', { userKey: 'bob' })))
    double.set({ paused: false })
    await Promise.all([...burst, bob])
    expect(arrivals(double)).toEqual(['a-1', 'b-1', 'a-2', 'a-3', 'a-4'])
  })

  it('tells waiting callers their place in line and updates it', async () => {
    gateway = testGateway({ hosts: [double.url], concurrency: 1 }).gateway
    double.set({ paused: true })
    const first = collect(gateway.chat(ask('first')))
    await eventually(() => double.active === 1)
    const positions: number[] = []
    const second = collect(gateway.chat(ask('second')))
    const third = collect(gateway.chat(ask('third')), (e) => {
      if (e.type === 'queued') positions.push(e.position)
    })
    await eventually(() => positions.length === 1)
    double.set({ paused: false })
    const results = await Promise.all([first, second, third])
    expect(positions).toEqual([2, 1])
    const types = results[2].events.map((e) => e.type)
    expect(types.indexOf('queued')).toBeLessThan(types.indexOf('started'))
    expect(results[0].events.some((e) => e.type === 'queued')).toBe(false)
  })

  it('answers LLM_BUSY with an estimated wait once the queue is full', async () => {
    gateway = testGateway({ hosts: [double.url], concurrency: 1, maxQueue: 2 }).gateway
    double.set({ paused: true })
    const running = collect(gateway.chat(ask('running')))
    await eventually(() => double.active === 1)
    const waiting = [collect(gateway.chat(ask('w1'))), collect(gateway.chat(ask('w2')))]
    const refused = await collect(gateway.chat(ask('w3')))
    expect(refused.error).toMatchObject({ code: 'LLM_BUSY' })
    const { retryAfterSeconds } = (refused.error as { params: { retryAfterSeconds: number } })
      .params
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1)
    double.set({ paused: false })
    const done = await Promise.all([running, ...waiting])
    expect(done.every((r) => r.error === undefined)).toBe(true)
  })

  it('removes a cancelled request from the queue before it reaches Ollama', async () => {
    gateway = testGateway({ hosts: [double.url], concurrency: 1 }).gateway
    double.set({ paused: true })
    const running = collect(gateway.chat(ask('running')))
    await eventually(() => double.active === 1)
    const controller = new AbortController()
    const positions: number[] = []
    const cancelled = collect(
      gateway.chat(ask('cancel-me', { signal: controller.signal })),
      (e) => {
        if (e.type === 'queued') positions.push(e.position)
      },
    )
    const after = collect(gateway.chat(ask('after')))
    await eventually(() => positions.length === 1)
    controller.abort()
    const result = await cancelled
    expect(result.error).toMatchObject({ code: 'CANCELLED' })
    double.set({ paused: false })
    await Promise.all([running, after])
    expect(arrivals(double)).toEqual(['running', 'after'])
  })

  it('cancels a running generation and the double sees the connection close', async () => {
    gateway = testGateway({ hosts: [double.url] }).gateway
    double.set({ reply: null, replyTokens: 200, tokenIntervalMs: 20 })
    const controller = new AbortController()
    const { events, error } = await collect(
      gateway.chat(chatRequest({ signal: controller.signal })),
      (e) => {
        if (e.type === 'delta') controller.abort()
      },
    )
    expect(error).toMatchObject({ code: 'CANCELLED' })
    expect(events.filter((e) => e.type === 'delta')).toHaveLength(1)
    const request = double.requestsTo('/api/chat')[0]
    await eventually(() => request?.aborted === true)
    expect(double.requestsTo('/api/chat')).toHaveLength(1)
  })

  it('replays a deterministic reply from the cache without queueing', async () => {
    gateway = testGateway({ hosts: [double.url], concurrency: 1 }).gateway
    const request = ask('same question', { options: { temperature: 0, num_ctx: 4096 } })
    const miss = await collect(gateway.chat(request))
    double.set({ paused: true })
    const blocker = collect(gateway.chat(ask('blocker')))
    await eventually(() => double.active === 1)
    const hit = await collect(gateway.chat(request))
    expect(hit.error).toBeUndefined()
    expect(text(hit.events)).toBe(text(miss.events))
    expect(hit.events.map((e) => e.type)).toEqual(miss.events.map((e) => e.type))
    expect(doneOf(hit.events)).toMatchObject({ cached: true, model: 'llama3.2' })
    expect(doneOf(miss.events).cached).toBe(false)
    expect(double.requestsTo('/api/chat')).toHaveLength(2)
    double.set({ paused: false })
    await blocker
  })

  it('caches replies with a fixed seed but not creative ones', async () => {
    gateway = testGateway({ hosts: [double.url] }).gateway
    const seeded = ask('seeded', { options: { seed: 42, temperature: 0.8 } })
    const creative = ask('creative', { options: { temperature: 0.8 } })
    for (let i = 0; i < 2; i++) {
      await collect(gateway.chat(seeded))
      await collect(gateway.chat(creative))
    }
    expect(arrivals(double)).toEqual(['seeded', 'creative', 'creative'])
  })

  it('never caches a failed reply', async () => {
    gateway = testGateway({ hosts: [double.url] }).gateway
    const request = ask('flaky', { options: { temperature: 0 } })
    double.set({ failure: { type: 'error-line', afterTokens: 1 }, failureCount: 1 })
    const failed = await collect(gateway.chat(request))
    expect(failed.error).toBeDefined()
    const retried = await collect(gateway.chat(request))
    expect(retried.error).toBeUndefined()
    expect(doneOf(retried.events).cached).toBe(false)
  })

  it('cancels queued and running requests on close', async () => {
    gateway = testGateway({ hosts: [double.url], concurrency: 1 }).gateway
    double.set({ paused: true })
    const running = collect(gateway.chat(ask('running')))
    await eventually(() => double.active === 1)
    const queuedEvents: LlmEvent[] = []
    const queued = collect(gateway.chat(ask('queued')), (e) => queuedEvents.push(e))
    await eventually(() => queuedEvents.length === 1)
    await gateway.close()
    const results = await Promise.all([running, queued])
    expect(results.map((r) => (r.error as { code?: string }).code)).toEqual([
      'CANCELLED',
      'CANCELLED',
    ])
    await eventually(() => double.requestsTo('/api/chat')[0]?.aborted === true)
  })

  it('exports queue, latency, cache and error metrics on the registry', async () => {
    const built = testGateway({ hosts: [double.url] })
    gateway = built.gateway
    const request = ask('metrics', { options: { temperature: 0 } })
    await collect(gateway.chat(request))
    await collect(gateway.chat(request))
    await collect(gateway.chat(chatRequest({ model: 'missing' })))
    const exposition = await built.registry.metrics()
    expect(exposition).toContain('justlayme_llm_queue_depth')
    expect(exposition).toMatch(/justlayme_llm_queue_wait_seconds_count\{tier="free"\} 1/)
    expect(exposition).toMatch(
      /justlayme_llm_time_to_first_token_seconds_count\{host="[^"]+",model="llama3.2"\} 1/,
    )
    expect(exposition).toContain('justlayme_llm_tokens_per_second_bucket')
    expect(exposition).toMatch(/justlayme_llm_cache_hits_total\{kind="reply"\} 1/)
    expect(exposition).toMatch(/justlayme_llm_cache_misses_total\{kind="reply"\} 1/)
    expect(exposition).toMatch(
      /justlayme_llm_errors_total\{host="[^"]+",model="missing",kind="model_missing"\} 1/,
    )
  })
})
