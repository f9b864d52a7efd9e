import { Registry } from 'prom-client'
import type { LlmChatRequest, LlmEvent } from '../../../src/core/ports/llm.js'
import type { Logger } from '../../../src/core/ports/logger.js'
import {
  createLlmGateway,
  type LlmGateway,
  type LlmGatewayOptions,
} from '../../../src/llm/create-llm-gateway.js'
import { silentLogger } from '../../helpers/logger.js'

/** Waits until `condition` holds, polling; fails after `timeoutMs`. */
export async function eventually(
  condition: () => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Drains a stream; returns its events and the error it threw (if any). */
export async function collect(
  stream: AsyncIterable<LlmEvent>,
  onEvent?: (event: LlmEvent) => void,
): Promise<{ events: LlmEvent[]; error: unknown }> {
  const events: LlmEvent[] = []
  try {
    for await (const event of stream) {
      events.push(event)
      onEvent?.(event)
    }
    return { events, error: undefined }
  } catch (error) {
    return { events, error }
  }
}

export function text(events: readonly LlmEvent[]): string {
  return events.map((e) => (e.type === 'delta' ? e.text : '')).join('')
}

export function doneOf(events: readonly LlmEvent[]) {
  const done = events.find((e) => e.type === 'done')
  if (done?.type !== 'done') throw new Error('no done event')
  return done
}

export function chatRequest(overrides: Partial<LlmChatRequest> = {}): LlmChatRequest {
  return {
    model: 'llama3.2',
    messages: [{ role: 'user', content: 'hello' }],
    tier: 'free',
    userKey: 'user-1',
    ...overrides,
  }
}

export const TEST_GATEWAY_OPTIONS: Omit<LlmGatewayOptions, 'hosts'> = {
  defaultModel: 'llama3.2',
  concurrency: 2,
  maxQueue: 100,
  autoPull: false,
  firstTokenTimeoutMs: 10_000,
  idleTimeoutMs: 10_000,
  totalTimeoutMs: 20_000,
  loadingNoticeMs: 5000,
  retryBackoffMs: 5,
  healthCheckIntervalMs: 3_600_000,
}

export interface TestGateway {
  readonly gateway: LlmGateway
  readonly registry: Registry
}

export function testGateway(
  options: Partial<LlmGatewayOptions> & Pick<LlmGatewayOptions, 'hosts'>,
  deps: { log?: Logger; now?: () => number } = {},
): TestGateway {
  const registry = new Registry()
  const gateway = createLlmGateway(
    { log: deps.log ?? silentLogger(), registry, now: deps.now },
    { ...TEST_GATEWAY_OPTIONS, ...options },
  )
  return { gateway, registry }
}

/** A fetch that counts `/api/chat` calls per host port, to see which host was tried. */
export function countingFetch(): { fetch: typeof fetch; chats: string[] } {
  const chats: string[] = []
  const counting: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input)
    if (url.endsWith('/api/chat')) chats.push(new URL(url).port)
    return fetch(input, init)
  }
  return { fetch: counting, chats }
}
