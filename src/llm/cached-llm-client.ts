import { createHash } from 'node:crypto'
import { AppError } from '../core/errors.js'
import type {
  LlmChatRequest,
  LlmClient,
  LlmEvent,
  LlmHostHealth,
  ModelInfo,
} from '../core/ports/llm.js'
import type { BoundedCache } from './bounded-cache.js'
import type { LlmMetrics } from './llm-metrics.js'
import { canonicalModel } from './model-name.js'

export interface CachedLlmClientDeps {
  readonly inner: LlmClient
  /** Complete replies to deterministic requests. */
  readonly replies: BoundedCache
  /** `/api/show` results. */
  readonly metadata: BoundedCache
  readonly metrics: LlmMetrics
}

export interface CachedLlmClientOptions {
  readonly showTtlSeconds?: number | undefined
}

type DoneEvent = Extract<LlmEvent, { type: 'done' }>
interface CachedReply {
  readonly deltas: readonly string[]
  readonly done: DoneEvent
  /** Everyone whose request made or hit this entry: `/forget` drops it for any of them. */
  readonly users: Set<string>
}

/**
 * Serves repeated deterministic requests (temperature 0 or a fixed seed) from memory,
 * replayed as `started`, the original deltas and `done` with `cached: true`, without
 * touching the queue. Only complete replies from the requested model are kept. `forgetUser`
 * drops every reply a person's request made or was served.
 */
export class CachedLlmClient implements LlmClient {
  readonly #inner: LlmClient
  readonly #replies: BoundedCache
  readonly #metadata: BoundedCache
  readonly #metrics: LlmMetrics
  readonly #showTtl: number

  constructor(deps: CachedLlmClientDeps, options: CachedLlmClientOptions = {}) {
    this.#inner = deps.inner
    this.#replies = deps.replies
    this.#metadata = deps.metadata
    this.#metrics = deps.metrics
    this.#showTtl = options.showTtlSeconds ?? 60
  }

  chat(request: LlmChatRequest): AsyncIterable<LlmEvent> {
    // Picture turns are never cached: no picture bytes are kept after their turn.
    if (!isDeterministic(request) || request.messages.some((m) => m.images?.length)) {
      return this.#inner.chat(request)
    }
    return this.#cachedChat(request, replyKey(request))
  }

  async *#cachedChat(request: LlmChatRequest, key: string): AsyncGenerator<LlmEvent> {
    const hit = this.#replies.get<CachedReply>(key)
    this.#metrics.cache('reply', hit !== undefined)
    if (hit) {
      if (request.signal?.aborted) throw new AppError('CANCELLED', 'generation cancelled')
      hit.users.add(request.userKey)
      yield { type: 'started', model: hit.done.model, host: hit.done.host }
      for (const text of hit.deltas) yield { type: 'delta', text }
      yield { ...hit.done, cached: true }
      return
    }
    const deltas: string[] = []
    for await (const event of this.#inner.chat(request)) {
      if (event.type === 'delta') deltas.push(event.text)
      if (event.type === 'done' && !event.fallbackUsed)
        this.#replies.set(key, { deltas, done: event, users: new Set([request.userKey]) })
      yield event
    }
  }

  async modelInfo(model: string): Promise<ModelInfo> {
    const key = `show:${canonicalModel(model)}`
    const hit = this.#metadata.get<ModelInfo>(key)
    this.#metrics.cache('metadata', hit !== undefined)
    if (hit) return hit
    const info = await this.#inner.modelInfo(model)
    if (info.contextLength !== null || info.capabilities) {
      this.#metadata.set(key, info, this.#showTtl)
    }
    return info
  }

  health(): Promise<readonly LlmHostHealth[]> {
    return this.#inner.health()
  }

  forgetUser(userKey: string): number {
    return this.#replies.deleteWhere<CachedReply>((reply) => reply.users.has(userKey))
  }
}

export function isDeterministic(request: LlmChatRequest): boolean {
  const options = request.options ?? {}
  return options.temperature === 0 || typeof options.seed === 'number'
}

function replyKey(request: LlmChatRequest): string {
  const options = Object.entries(request.options ?? {}).sort(([a], [b]) => a.localeCompare(b))
  const material = JSON.stringify([
    canonicalModel(request.model),
    request.messages.map((m) => [m.role, m.content]),
    options,
    request.think ?? false,
  ])
  return `reply:${createHash('sha256').update(material).digest('hex')}`
}
