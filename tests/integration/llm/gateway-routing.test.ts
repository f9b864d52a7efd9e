import { afterEach, describe, expect, it } from 'vitest'
import type { LlmGateway } from '../../../src/llm/create-llm-gateway.js'
import { type OllamaDouble, startOllamaDouble } from '../../doubles/ollama-double.js'
import { capturingLogger } from '../../helpers/logger.js'
import {
  chatRequest,
  collect,
  countingFetch,
  doneOf,
  eventually,
  testGateway,
  text,
} from './helpers.js'

describe('LLM gateway routing, retries, breaker and fallback', () => {
  const doubles: OllamaDouble[] = []
  const gateways: LlmGateway[] = []
  const double = async (knobs: Parameters<typeof startOllamaDouble>[0] = {}) => {
    const d = await startOllamaDouble(knobs)
    doubles.push(d)
    return d
  }
  const gatewayFor = (...args: Parameters<typeof testGateway>) => {
    const built = testGateway(...args)
    gateways.push(built.gateway)
    return built.gateway
  }

  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.close()))
    await Promise.all(doubles.splice(0).map((d) => d.close()))
  })

  it('moves to the second host when the first refuses the connection', async () => {
    const a = await double()
    const b = await double()
    await a.stop()
    const { log, lines } = capturingLogger()
    const gateway = gatewayFor({ hosts: [a.url, b.url] }, { log })
    const { events, error } = await collect(gateway.chat(chatRequest()))
    expect(error).toBeUndefined()
    expect(doneOf(events).host).toBe(b.url)
    expect(b.requestsTo('/api/chat')).toHaveLength(1)
    const warning = lines.find((l) => l.msg === 'llm try failed')
    expect(warning).toMatchObject({ host: a.url, model: 'llama3.2', kind: 'connection' })
  })

  it('retries a 503 before the first token and answers once', async () => {
    const a = await double()
    a.set({ failure: { type: 'status', status: 503 }, failureCount: 2 })
    const gateway = gatewayFor({ hosts: [a.url] })
    const { events, error } = await collect(gateway.chat(chatRequest()))
    expect(error).toBeUndefined()
    expect(text(events)).toBe('token0 token1 token2 token3 token4')
    expect(a.requestsTo('/api/chat')).toHaveLength(3)
  })

  it('gives up after three tries with the last error', async () => {
    const a = await double()
    a.set({ failure: { type: 'status', status: 500 } })
    const gateway = gatewayFor({ hosts: [a.url] })
    const { error } = await collect(gateway.chat(chatRequest()))
    expect(error).toMatchObject({ code: 'LLM_UNAVAILABLE' })
    expect(a.requestsTo('/api/chat')).toHaveLength(3)
  })

  it('never retries after a token was delivered, so no text is duplicated', async () => {
    const a = await double()
    const b = await double()
    a.set({ failure: { type: 'destroy', afterTokens: 2 } })
    b.set({ failure: { type: 'destroy', afterTokens: 2 } })
    const gateway = gatewayFor({ hosts: [a.url, b.url] })
    const { events, error } = await collect(gateway.chat(chatRequest()))
    expect(text(events)).toBe('token0 token1 ')
    expect(error).toMatchObject({ code: 'LLM_UNAVAILABLE' })
    expect(a.requestsTo('/api/chat').length + b.requestsTo('/api/chat').length).toBe(1)
  })

  it('does not retry an error line after tokens either', async () => {
    const a = await double({ failure: { type: 'error-line', afterTokens: 1 } })
    const gateway = gatewayFor({ hosts: [a.url] })
    const { events, error } = await collect(gateway.chat(chatRequest()))
    expect(text(events)).toBe('token0 ')
    expect(error).toMatchObject({ code: 'LLM_UNAVAILABLE' })
    expect(a.requestsTo('/api/chat')).toHaveLength(1)
  })

  it('opens the breaker after repeated connection failures, probes once, then closes', async () => {
    const a = await double()
    await a.stop()
    let now = 1_000_000
    const counter = countingFetch()
    const gateway = gatewayFor(
      { hosts: [a.url], breakerFailureThreshold: 3, breakerOpenMs: 10_000, fetch: counter.fetch },
      { now: () => now },
    )
    const chats = () => counter.chats.length

    const first = await collect(gateway.chat(chatRequest()))
    expect(first.error).toMatchObject({ code: 'LLM_UNAVAILABLE' })
    expect(chats()).toBe(3)
    expect((await gateway.health())[0]).toMatchObject({
      status: 'down',
      detail: expect.stringMatching(/^circuit open/),
    })

    const whileOpen = await collect(gateway.chat(chatRequest()))
    expect(whileOpen.error).toMatchObject({ code: 'LLM_UNAVAILABLE' })
    expect(chats()).toBe(3)

    now += 10_000
    const failedProbe = await collect(gateway.chat(chatRequest()))
    expect(failedProbe.error).toMatchObject({ code: 'LLM_UNAVAILABLE' })
    expect(chats()).toBe(4)
    const reopened = await collect(gateway.chat(chatRequest()))
    expect(reopened.error).toMatchObject({ code: 'LLM_UNAVAILABLE' })
    expect(chats()).toBe(4)

    await a.start()
    now += 10_000
    const probe = await collect(gateway.chat(chatRequest()))
    expect(probe.error).toBeUndefined()
    const closed = await collect(gateway.chat(chatRequest()))
    expect(closed.error).toBeUndefined()
    expect(chats()).toBe(6)
    expect((await gateway.health())[0]).toMatchObject({ status: 'up' })
  })

  it('routes around a host whose breaker is open', async () => {
    const a = await double()
    const b = await double()
    await a.stop()
    const counter = countingFetch()
    const gateway = gatewayFor({
      hosts: [a.url, b.url],
      breakerFailureThreshold: 1,
      fetch: counter.fetch,
    })
    await collect(gateway.chat(chatRequest()))
    await collect(gateway.chat(chatRequest()))
    await collect(gateway.chat(chatRequest()))
    expect(counter.chats.filter((port) => port === String(a.port))).toHaveLength(1)
    expect(b.requestsTo('/api/chat')).toHaveLength(3)
  })

  it('prefers the host that already has the model loaded', async () => {
    const a = await double({ loaded: [] })
    const b = await double({ loaded: ['llama3.2'] })
    const gateway = gatewayFor({ hosts: [a.url, b.url], defaultModel: 'other' })
    await gateway.start([])
    await collect(gateway.chat(chatRequest()))
    expect(b.requestsTo('/api/chat')).toHaveLength(1)
    expect(a.requestsTo('/api/chat')).toHaveLength(0)
  })

  it('spreads load to the least loaded host', async () => {
    const a = await double({ loaded: ['llama3.2'], paused: true })
    const b = await double({ loaded: ['llama3.2'], paused: true })
    const gateway = gatewayFor({ hosts: [a.url, b.url], concurrency: 2 })
    const runs = Array.from({ length: 4 }, (_, i) =>
      collect(gateway.chat(chatRequest({ userKey: `u${i}` }))),
    )
    await eventually(() => a.active + b.active === 4)
    expect(a.active).toBe(2)
    expect(b.active).toBe(2)
    a.set({ paused: false })
    b.set({ paused: false })
    await Promise.all(runs)
  })

  it('falls back to the fallback model when the model is missing (404)', async () => {
    const a = await double({ models: ['llama3.2', 'qwen2.5:0.5b'] })
    const gateway = gatewayFor({ hosts: [a.url], fallbackModel: 'qwen2.5:0.5b' })
    const { events, error } = await collect(gateway.chat(chatRequest({ model: 'mistral' })))
    expect(error).toBeUndefined()
    expect(doneOf(events)).toMatchObject({ model: 'qwen2.5:0.5b', fallbackUsed: true })
    expect(a.requestsTo('/api/chat', 'mistral')).toHaveLength(1)
  })

  it("uses the request's own fallback model before the gateway's", async () => {
    const a = await double({ models: ['llama3.2', 'phi3', 'qwen2.5:0.5b'] })
    const gateway = gatewayFor({ hosts: [a.url], fallbackModel: 'qwen2.5:0.5b' })
    const { events } = await collect(
      gateway.chat(chatRequest({ model: 'mistral', fallbackModel: 'phi3' })),
    )
    expect(doneOf(events)).toMatchObject({ model: 'phi3', fallbackUsed: true })
  })

  it('falls back when every host that has the model is down', async () => {
    const a = await double({ models: ['mistral'] })
    const b = await double({ models: ['qwen2.5:0.5b'] })
    const gateway = gatewayFor({ hosts: [a.url, b.url], fallbackModel: 'qwen2.5:0.5b' })
    await gateway.start([])
    await a.stop()
    const { events, error } = await collect(gateway.chat(chatRequest({ model: 'mistral' })))
    expect(error).toBeUndefined()
    expect(doneOf(events)).toMatchObject({ model: 'qwen2.5:0.5b', host: b.url, fallbackUsed: true })
  })

  it('answers MODEL_MISSING with the model when there is no fallback', async () => {
    const a = await double()
    const gateway = gatewayFor({ hosts: [a.url] })
    const { error } = await collect(gateway.chat(chatRequest({ model: 'mistral' })))
    expect(error).toMatchObject({ code: 'MODEL_MISSING', params: { model: 'mistral' } })
  })

  it('answers LLM_UNAVAILABLE with the model when all hosts are down', async () => {
    const a = await double()
    await a.stop()
    const gateway = gatewayFor({ hosts: [a.url] })
    const { error } = await collect(gateway.chat(chatRequest()))
    expect(error).toMatchObject({ code: 'LLM_UNAVAILABLE', params: { model: 'llama3.2' } })
  })

  it('reports health per host', async () => {
    const a = await double()
    const b = await double()
    await b.stop()
    const gateway = gatewayFor({ hosts: [a.url, b.url] })
    const health = await gateway.health()
    expect(health).toEqual([
      {
        host: a.url,
        status: 'up',
        detail: 'ollama 0.12.0; concurrency 2 (fixed)',
        concurrency: { limit: 2, mode: 'fixed' },
      },
      expect.objectContaining({ host: b.url, status: 'down' }),
    ])
  })

  it('reads and caches the context length and capabilities from /api/show', async () => {
    const a = await double({ contextLength: 8192, vision: ['llama3.2'] })
    const gateway = gatewayFor({ hosts: [a.url] })
    const info = { contextLength: 8192, capabilities: ['completion', 'vision'] }
    await expect(gateway.modelInfo('llama3.2')).resolves.toEqual(info)
    await expect(gateway.modelInfo('llama3.2')).resolves.toEqual(info)
    expect(a.requestsTo('/api/show')).toHaveLength(1)
  })

  it('tells the caller a cold model is loading before the first token', async () => {
    const a = await double({ loaded: [], loadDelayMs: 300 })
    const gateway = gatewayFor({ hosts: [a.url], loadingNoticeMs: 50 })
    const { events, error } = await collect(gateway.chat(chatRequest()))
    expect(error).toBeUndefined()
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['loading', 'started'])
  })

  it('answers LLM_LOADING when a cold model misses the first-token limit', async () => {
    const a = await double({ loaded: [], loadDelayMs: 2000 })
    const gateway = gatewayFor({ hosts: [a.url], firstTokenTimeoutMs: 200, loadingNoticeMs: 50 })
    const { events, error } = await collect(gateway.chat(chatRequest()))
    expect(events.map((e) => e.type)).toEqual(['loading'])
    expect(error).toMatchObject({ code: 'LLM_LOADING', params: { model: 'llama3.2' } })
    expect(a.requestsTo('/api/chat')).toHaveLength(1)
  })

  it('answers LLM_TIMEOUT when a loaded model stalls, without retrying', async () => {
    const a = await double({ loaded: ['llama3.2'] })
    const gateway = gatewayFor({ hosts: [a.url], firstTokenTimeoutMs: 200, defaultModel: 'other' })
    await gateway.start([])
    a.set({ failure: { type: 'hang' } })
    const { error } = await collect(gateway.chat(chatRequest()))
    expect(error).toMatchObject({ code: 'LLM_TIMEOUT', phase: 'first_token' })
    expect(a.requestsTo('/api/chat')).toHaveLength(1)
    await eventually(() => a.requestsTo('/api/chat')[0]?.aborted === true)
  })

  it('logs the final failure with host, model and cause for the operator', async () => {
    const a = await double({
      failure: { type: 'error-line', afterTokens: 1, message: 'CUDA error' },
    })
    const { log, lines } = capturingLogger()
    const gateway = gatewayFor({ hosts: [a.url] }, { log })
    await collect(gateway.chat(chatRequest()))
    const line = lines.find((l) => l.msg === 'llm request failed')
    expect(line).toMatchObject({ host: a.url, model: 'llama3.2', kind: 'stream_error' })
    expect(JSON.stringify(line?.err)).toContain('CUDA error')
  })
})
