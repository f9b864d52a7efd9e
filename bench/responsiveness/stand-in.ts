import { pino } from 'pino'
import { Registry } from 'prom-client'
import { createLlmGateway, type LlmGateway } from '../../src/llm/create-llm-gateway.js'
import { chatRequest } from '../helpers/chat-request.js'

/** The Ollama stand-in of issue #13: first token after 300 ms, then 30 tokens/s. */
export const FIRST_TOKEN_MS = 300
export const TOKEN_MS = Math.round(1000 / 30)
export const silent = pino({ level: 'silent' })

/** The real LLM gateway over `hosts`, with limits high enough never to refuse a bench request. */
export function gateway(hosts: string[], concurrency: number | 'auto', registry = new Registry()) {
  return createLlmGateway(
    { log: silent, registry },
    {
      hosts,
      defaultModel: 'llama3.2',
      concurrency,
      maxConcurrency: 8,
      maxQueue: 100_000,
      autoPull: false,
      firstTokenTimeoutMs: 60_000,
      idleTimeoutMs: 60_000,
      totalTimeoutMs: 120_000,
    },
  )
}

/** Runs one generation; resolves with when it was sent and ms to `started` and `done`. */
export async function ask(
  g: LlmGateway,
  req = chatRequest(),
): Promise<{ sentAt: number; started: number; done: number }> {
  const t0 = performance.now()
  let started = Number.NaN
  for await (const event of g.chat(req)) {
    if (event.type === 'started') started = performance.now() - t0
    if (event.type === 'done') return { sentAt: t0, started, done: performance.now() - t0 }
  }
  throw new Error('no done event')
}
