import { AppError, LlmUnavailableError } from '../core/errors.js'
import type {
  LlmChatRequest,
  LlmClient,
  LlmEvent,
  LlmHostHealth,
  ModelInfo,
} from '../core/ports/llm.js'
import type { Logger } from '../core/ports/logger.js'
import { abortableSleep } from './abortable-sleep.js'
import { errorKind, hostOf, isRetryable } from './errors.js'
import { pickHost } from './host-router.js'
import { hostsHealth } from './hosts-health.js'
import { llmEventStream } from './llm-event-stream.js'
import type { LlmHost } from './llm-host.js'
import type { LlmMetrics } from './llm-metrics.js'
import { sameModel } from './model-name.js'
import { RecentDurations } from './recent-durations.js'
import { type Generation, type HostRunContext, runOnHost } from './run-on-host.js'
import { UserRounds } from './user-rounds.js'

export interface QueuedLlmClientDeps {
  readonly hosts: readonly LlmHost[]
  readonly log: Logger
  readonly metrics: LlmMetrics
  readonly now: () => number
}

export interface QueuedLlmClientOptions {
  /** Requests allowed to wait (all hosts together); past it callers get `LLM_BUSY`. */
  readonly maxQueue: number
  /** Tried when the request's model is missing or all its hosts are down. */
  readonly fallbackModel?: string | undefined
  /** Tries per model (first try included). */
  readonly maxAttempts?: number | undefined
  /** Base delay before retrying the same host; doubles per try. */
  readonly retryBackoffMs?: number | undefined
  /** Reported in the `LLM_LOADING` error when a cold model misses its first-token limit. */
  readonly firstTokenTimeoutMs: number
}

/**
 * Routes generations to healthy hosts through per-host priority queues: premium before free,
 * round-robin between users of a tier, a bounded number of waiters, retries before the first
 * token and a fallback model. Emits `queued` with the place in line while waiting.
 */
export class QueuedLlmClient implements LlmClient {
  readonly #hosts: readonly LlmHost[]
  readonly #log: Logger
  readonly #metrics: LlmMetrics
  readonly #fallbackModel: string | undefined
  readonly #maxAttempts: number
  readonly #backoffMs: number
  readonly #rounds = new UserRounds()
  readonly #runContext: HostRunContext

  constructor(deps: QueuedLlmClientDeps, options: QueuedLlmClientOptions) {
    this.#hosts = deps.hosts
    this.#log = deps.log
    this.#metrics = deps.metrics
    this.#fallbackModel = options.fallbackModel
    this.#maxAttempts = options.maxAttempts ?? 3
    this.#backoffMs = options.retryBackoffMs ?? 250
    this.#runContext = {
      hosts: deps.hosts,
      metrics: deps.metrics,
      now: deps.now,
      durations: new RecentDurations(),
      maxQueue: options.maxQueue,
      firstTokenTimeoutMs: options.firstTokenTimeoutMs,
      waiting: () => this.waiting,
    }
  }

  chat(request: LlmChatRequest): AsyncIterable<LlmEvent> {
    return llmEventStream(request.signal, (signal, emit) =>
      this.#execute({
        request: { ...request, signal },
        emit,
        round: this.#rounds.enter(request),
        delivered: false,
      }),
    )
  }

  /** Requests waiting on all hosts. */
  get waiting(): number {
    return this.#hosts.reduce((n, h) => n + h.queue.waiting, 0)
  }

  /** Runs one generation to its end; rejects with the failure after logging it. */
  async #execute(generation: Generation): Promise<void> {
    const { request } = generation
    const fallback = request.fallbackModel ?? this.#fallbackModel
    try {
      try {
        await this.#tryModel(request.model, generation, false)
      } catch (err) {
        if (
          generation.delivered ||
          request.signal?.aborted ||
          !fallback ||
          sameModel(fallback, request.model) ||
          !(err instanceof AppError) ||
          (err.code !== 'MODEL_MISSING' && err.code !== 'LLM_UNAVAILABLE')
        ) {
          throw err
        }
        this.#log.warn(
          { model: request.model, fallbackModel: fallback, kind: errorKind(err), err },
          'llm model unavailable, using the fallback model',
        )
        try {
          await this.#tryModel(fallback, generation, true)
        } catch (fallbackErr) {
          this.#log.error(
            { model: fallback, kind: errorKind(fallbackErr), err: fallbackErr },
            'llm fallback model failed too',
          )
          throw generation.delivered || request.signal?.aborted ? fallbackErr : err
        }
      }
    } catch (err) {
      const failure = request.signal?.aborted
        ? new AppError(
            'CANCELLED',
            'generation cancelled',
            { model: request.model },
            { cause: err },
          )
        : err
      const kind = errorKind(failure)
      const host = hostOf(failure)
      // Failures of a try were counted with their host; these never reached one.
      if (host === undefined) this.#metrics.error('none', request.model, kind)
      const line = { host, model: request.model, kind, err: failure }
      if (kind === 'cancelled') this.#log.debug(line, 'llm request cancelled')
      else if (kind === 'queue_full') this.#log.warn(line, 'llm request refused: queue full')
      else this.#log.error(line, 'llm request failed')
      throw failure
    } finally {
      this.#rounds.leave(request)
    }
  }

  async #tryModel(model: string, generation: Generation, fallbackUsed: boolean): Promise<void> {
    const tried = new Set<LlmHost>()
    let lastErr: unknown
    let probed = false
    for (let n = 1; n <= this.#maxAttempts; n++) {
      let host = pickHost(this.#hosts, model, tried)
      if (!host && !probed && tried.size === 0) {
        // The circuits say down: ask the hosts now rather than trusting a stale state.
        probed = true
        if (await this.#probeDownHosts(model)) host = pickHost(this.#hosts, model, tried)
      }
      if (!host) break
      if (tried.has(host))
        await abortableSleep(this.#backoffMs * 2 ** (n - 2), generation.request.signal)
      tried.add(host)
      try {
        await runOnHost(this.#runContext, host, model, generation, fallbackUsed, n > 1)
        return
      } catch (err) {
        const kind = errorKind(err)
        // Cancelling and a full queue are not the host's fault; `#execute` counts them.
        if (generation.request.signal?.aborted || kind === 'queue_full') throw err
        this.#metrics.error(host.name, model, kind)
        if (kind === 'model_missing') host.markMissing(model)
        else if (generation.delivered || !isRetryable(err)) throw err
        this.#log.warn({ host: host.name, model, kind, try: n, err }, 'llm try failed')
        lastErr = err
      }
    }
    if (lastErr) throw lastErr
    const reachable = this.#hosts.filter((h) => h.breaker.isAvailable())
    if (reachable.length > 0) {
      throw new AppError('MODEL_MISSING', `no host has model ${model}`, { model })
    }
    throw new LlmUnavailableError('no Ollama host is reachable', { model })
  }

  /** Probes the hosts that may have `model` but whose circuit is open; true if one answered. */
  async #probeDownHosts(model: string): Promise<boolean> {
    const down = this.#hosts.filter((h) => !h.breaker.isAvailable() && h.mayHave(model))
    const answers = await Promise.all(down.map((h) => h.probe()))
    for (const h of down) this.#metrics.hostUp(h.name, h.breaker.state === 'closed')
    return answers.some(Boolean)
  }

  /** Context length from `/api/show` on a healthy host; null when no host can tell. */
  async modelInfo(model: string): Promise<ModelInfo> {
    const host = pickHost(this.#hosts, model, new Set())
    if (!host) return { contextLength: null, capabilities: null }
    try {
      return await host.client.modelInfo(model)
    } catch (err) {
      this.#log.warn({ host: host.name, model, kind: errorKind(err), err }, 'llm show failed')
      return { contextLength: null, capabilities: null }
    }
  }

  /** Up/down per host from the breaker and a cached `/api/version` probe; never throws. */
  health(): Promise<readonly LlmHostHealth[]> {
    return hostsHealth(this.#hosts)
  }
}
