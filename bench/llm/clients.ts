import type { Ollama } from 'ollama'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import type { LlmChatRequest } from '../../src/core/ports/llm.js'
import {
  createLlmGateway,
  type LlmGateway,
  type LlmGatewayOptions,
} from '../../src/llm/create-llm-gateway.js'

const BASE: Omit<LlmGatewayOptions, 'hosts' | 'concurrency'> = {
  defaultModel: 'llama3.2',
  maxQueue: 100_000,
  autoPull: false,
  firstTokenTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  totalTimeoutMs: 120_000,
  healthCheckIntervalMs: 3_600_000,
}

/** The real gateway over `hosts`, `concurrency` generations at a time per host. */
export function gatewayFor(hosts: readonly string[], concurrency: number): LlmGateway {
  return createLlmGateway(
    { log: pino({ level: 'silent' }), registry: new Registry() },
    { ...BASE, hosts, concurrency },
  )
}

export /** Milliseconds from the call to the last token through the gateway. */
async function viaGateway(gateway: LlmGateway, req: LlmChatRequest): Promise<number> {
  const start = performance.now()
  for await (const event of gateway.chat(req)) {
    if (event.type === 'done') break
  }
  return performance.now() - start
}

/** Milliseconds from the call to the last token with the bare `ollama` client. */
export async function viaRaw(ollama: Ollama, req: LlmChatRequest): Promise<number> {
  const start = performance.now()
  const stream = await ollama.chat({
    model: req.model,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    stream: true,
    think: false,
  })
  for await (const part of stream) {
    if (part.done) break
  }
  return performance.now() - start
}
