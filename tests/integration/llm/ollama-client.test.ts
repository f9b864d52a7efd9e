import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src/core/errors.js'
import {
  LlmTimeoutError,
  OllamaConnectionError,
  OllamaResponseError,
  OllamaStreamError,
} from '../../../src/llm/errors.js'
import { OllamaClient, type OllamaClientOptions } from '../../../src/llm/ollama-client.js'
import { type OllamaDouble, startOllamaDouble } from '../../doubles/ollama-double.js'
import { chatRequest, collect, doneOf, eventually, text } from './helpers.js'

describe('OllamaClient against the Ollama double', () => {
  let double: OllamaDouble
  const client = (options: Partial<OllamaClientOptions> = {}) =>
    new OllamaClient({
      host: double.url,
      firstTokenTimeoutMs: 5000,
      idleTimeoutMs: 5000,
      totalTimeoutMs: 10_000,
      ...options,
    })

  beforeAll(async () => {
    double = await startOllamaDouble()
  })
  afterEach(() => {
    double.set({
      failure: null,
      failureCount: null,
      loadDelayMs: 0,
      firstTokenDelayMs: 0,
      tokenIntervalMs: 0,
      replyTokens: 5,
      reply: null,
      loaded: [],
      models: ['llama3.2'],
    })
  })
  afterAll(async () => {
    await double.close()
  })

  it('streams started, each delta and done with the final chunk counts', async () => {
    double.set({ reply: () => ['Hello', ' there', '!'] })
    const { events, error } = await collect(client().chat(chatRequest()))
    expect(error).toBeUndefined()
    expect(events.map((e) => e.type)).toEqual(['started', 'delta', 'delta', 'delta', 'done'])
    expect(text(events)).toBe('Hello there!')
    const done = doneOf(events)
    expect(done).toMatchObject({
      text: 'Hello there!',
      model: 'llama3.2',
      host: double.url,
      completionTokens: 3,
      fallbackUsed: false,
      cached: false,
    })
    expect(done.promptTokens).toBeGreaterThan(0)
    expect(done.tokensPerSecond).toBeGreaterThan(0)
  })

  it('sends stream true, think false and the given num_ctx', async () => {
    await collect(client().chat(chatRequest({ options: { num_ctx: 8192, temperature: 0.7 } })))
    const body = double.requestsTo('/api/chat').at(-1)?.body as Record<string, unknown>
    expect(body).toMatchObject({ stream: true, think: false, options: { num_ctx: 8192 } })
  })

  it('sends think true when the request asks for it', async () => {
    await collect(client().chat(chatRequest({ think: true })))
    const body = double.requestsTo('/api/chat').at(-1)?.body as Record<string, unknown>
    expect(body.think).toBe(true)
  })

  it('turns an error line inside the stream into an error after the tokens before it', async () => {
    double.set({ failure: { type: 'error-line', afterTokens: 2, message: 'runner crashed' } })
    const { events, error } = await collect(client().chat(chatRequest()))
    expect(text(events)).toBe('token0 token1 ')
    expect(error).toBeInstanceOf(OllamaStreamError)
    expect((error as AppError).message).toContain('runner crashed')
  })

  it('reports an unknown model as MODEL_MISSING', async () => {
    const { error } = await collect(client().chat(chatRequest({ model: 'nope' })))
    expect(error).toBeInstanceOf(OllamaResponseError)
    expect(error).toMatchObject({ code: 'MODEL_MISSING', status: 404, params: { model: 'nope' } })
  })

  it('reports a 500 as LLM_UNAVAILABLE and a 503 as LLM_BUSY', async () => {
    double.set({ failure: { type: 'status', status: 500 }, failureCount: 1 })
    const first = await collect(client().chat(chatRequest()))
    double.set({ failure: { type: 'status', status: 503 }, failureCount: 1 })
    const second = await collect(client().chat(chatRequest()))
    expect(first.error).toMatchObject({ code: 'LLM_UNAVAILABLE', status: 500 })
    expect(second.error).toMatchObject({ code: 'LLM_BUSY', status: 503 })
  })

  it('reports a socket destroyed mid-stream as a connection failure', async () => {
    double.set({ failure: { type: 'destroy', afterTokens: 1 } })
    const { events, error } = await collect(client().chat(chatRequest()))
    expect(text(events)).toBe('token0 ')
    expect(error).toBeInstanceOf(OllamaConnectionError)
  })

  it('reports a refused connection as LLM_UNAVAILABLE', async () => {
    const closed = await startOllamaDouble()
    const url = closed.url
    await closed.close()
    const { error } = await collect(
      new OllamaClient({
        host: url,
        firstTokenTimeoutMs: 5000,
        idleTimeoutMs: 5000,
        totalTimeoutMs: 5000,
      }).chat(chatRequest()),
    )
    expect(error).toBeInstanceOf(OllamaConnectionError)
    expect(error).toMatchObject({ code: 'LLM_UNAVAILABLE', params: { model: 'llama3.2' } })
  })

  it('emits loading while a cold model loads, before started', async () => {
    double.set({ loadDelayMs: 400 })
    const { events, error } = await collect(client({ loadingNoticeMs: 50 }).chat(chatRequest()))
    expect(error).toBeUndefined()
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['loading', 'started'])
  })

  it('times out when the first token does not come and aborts the request', async () => {
    double.set({ failure: { type: 'hang' } })
    const before = double.requestsTo('/api/chat').length
    const { error } = await collect(client({ firstTokenTimeoutMs: 200 }).chat(chatRequest()))
    expect(error).toBeInstanceOf(LlmTimeoutError)
    expect(error).toMatchObject({ code: 'LLM_TIMEOUT', phase: 'first_token' })
    const request = double.requestsTo('/api/chat')[before]
    await eventually(() => request?.aborted === true, 5000, 'the double to see the abort')
  })

  it('times out when tokens stop coming', async () => {
    double.set({ tokenIntervalMs: 500, replyTokens: 3 })
    const { events, error } = await collect(client({ idleTimeoutMs: 100 }).chat(chatRequest()))
    expect(text(events)).toBe('token0 ')
    expect(error).toMatchObject({ code: 'LLM_TIMEOUT', phase: 'idle' })
  })

  it('times out a generation that runs past the total limit', async () => {
    double.set({ tokenIntervalMs: 50, replyTokens: 100 })
    const { error } = await collect(client({ totalTimeoutMs: 200 }).chat(chatRequest()))
    expect(error).toMatchObject({ code: 'LLM_TIMEOUT', phase: 'total' })
  })

  it('cancels on abort and the double sees the connection close', async () => {
    double.set({ tokenIntervalMs: 50, replyTokens: 100 })
    const controller = new AbortController()
    const before = double.requestsTo('/api/chat').length
    const { events, error } = await collect(
      client().chat(chatRequest({ signal: controller.signal })),
      (event) => {
        if (event.type === 'delta') controller.abort()
      },
    )
    expect(events.filter((e) => e.type === 'delta')).toHaveLength(1)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('CANCELLED')
    const request = double.requestsTo('/api/chat')[before]
    await eventually(() => request?.aborted === true, 5000, 'the double to see the abort')
  })

  it('reads the context length from /api/show', async () => {
    double.set({ contextLength: 32_768 })
    await expect(client().modelInfo('llama3.2')).resolves.toEqual({
      contextLength: 32_768,
      capabilities: ['completion'],
    })
  })

  it('lists installed and loaded models', async () => {
    double.set({ models: ['llama3.2', 'nomic-embed-text'], loaded: ['llama3.2'] })
    const c = client()
    await expect(c.listModels()).resolves.toEqual(['llama3.2:latest', 'nomic-embed-text:latest'])
    await expect(c.loadedModels()).resolves.toEqual(['llama3.2:latest'])
  })
})
