import { createHash } from 'node:crypto'
import type { Registry } from 'prom-client'
import { AppError, LlmUnavailableError } from '../core/errors.js'
import type { LlmChatRequest, LlmClient, LlmEvent } from '../core/ports/llm.js'
import type { Logger } from '../core/ports/logger.js'
import { BoundedCache } from './bounded-cache.js'
import { CachedLlmClient } from './cached-llm-client.js'
import { CircuitBreaker } from './circuit-breaker.js'
import { OllamaConnectionError } from './errors.js'
import { HostMonitor } from './host-monitor.js'
import { HostQueue } from './host-queue.js'
import { LlmHost } from './llm-host.js'
import { LlmMetrics } from './llm-metrics.js'
import { canonicalModel } from './model-name.js'
import { setUpModels } from './model-setup.js'
import { OllamaClient } from './ollama-client.js'
import { QueuedLlmClient } from './queued-llm-client.js'
import { redactHost } from './redact-host.js'

export interface LlmGatewayOptions {
  hosts: readonly string[] // OLLAMA_HOSTS
  defaultModel: string // OLLAMA_MODEL
  fallbackModel?: string | undefined // OLLAMA_FALLBACK_MODEL
  concurrency: number // OLLAMA_CONCURRENCY (per host)
  maxQueue: number // OLLAMA_MAX_QUEUE (waiting requests, all hosts)
  autoPull: boolean // OLLAMA_AUTO_PULL
  firstTokenTimeoutMs: number // OLLAMA_FIRST_TOKEN_TIMEOUT_MS
  idleTimeoutMs: number // OLLAMA_IDLE_TIMEOUT_MS
  totalTimeoutMs: number // OLLAMA_TOTAL_TIMEOUT_MS
  loadingNoticeMs?: number | undefined // 5000
  /** Called once when a host has been unreachable for `unreachableAlertMs` (5 min). */
  onHostUnreachable?: ((host: string, downForMs: number) => void) | undefined
  unreachableAlertMs?: number | undefined
  /** How often hosts with an open circuit are probed (10 s). */
  healthCheckIntervalMs?: number | undefined
  /** Consecutive connection failures that open a host's circuit (3). */
  breakerFailureThreshold?: number | undefined
  /** How long an open circuit waits before a probe (15 s). */
  breakerOpenMs?: number | undefined
  /** Base delay before retrying the same host (250 ms, doubling). */
  retryBackoffMs?: number | undefined
  /** Complete deterministic replies kept in memory (500). */
  replyCacheMaxKeys?: number | undefined
  /** How long cached replies live (10 min). */
  replyCacheTtlSeconds?: number | undefined
  /** `keep_alive` of the start-up preload (`30m`). */
  preloadKeepAlive?: string | number | undefined
  /** Tests and benches may swap the transport. */
  fetch?: typeof fetch | undefined
}

export interface LlmGatewayDeps {
  log: Logger
  registry: Registry
  now?: () => number
}

export interface LlmGateway extends LlmClient {
  /** At start: list each host's models, log missing ones with the exact `ollama pull` command,
   *  auto-pull when enabled (logging progress), preload the default model. Never throws. */
  start(requiredModels: readonly string[]): Promise<void>
  /** Embeddings, cached per model and text. Throws `LlmUnavailableError` / `MODEL_MISSING`. */
  embed(model: string, input: readonly string[]): Promise<number[][]>
  /** Aborts in-flight and queued requests (they throw `CANCELLED`) and stops timers. */
  close(): Promise<void>
}

/** Builds the LLM gateway: per-host Ollama clients, queues and breakers, a cache in front. */
export function createLlmGateway(deps: LlmGatewayDeps, options: LlmGatewayOptions): LlmGateway {
  const now = deps.now ?? Date.now
  const log = deps.log.child({ component: 'llm' })
  const metrics = new LlmMetrics(deps.registry)
  const metadata = new BoundedCache({ maxKeys: 1000, ttlSeconds: 30 })
  const replies = new BoundedCache({
    maxKeys: options.replyCacheMaxKeys ?? 500,
    ttlSeconds: options.replyCacheTtlSeconds ?? 600,
  })
  const embeddings = new BoundedCache({ maxKeys: 10_000, ttlSeconds: 3600 })
  const hosts = options.hosts.map((url) => {
    const name = redactHost(url)
    return new LlmHost({
      client: new OllamaClient({
        host: url,
        firstTokenTimeoutMs: options.firstTokenTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        totalTimeoutMs: options.totalTimeoutMs,
        loadingNoticeMs: options.loadingNoticeMs,
        fetch: options.fetch,
      }),
      breaker: new CircuitBreaker(
        { now },
        { failureThreshold: options.breakerFailureThreshold, openMs: options.breakerOpenMs },
      ),
      queue: new HostQueue(
        { onDepth: (depth) => metrics.queueDepth(name, depth) },
        { concurrency: options.concurrency },
      ),
      cache: metadata,
      log,
    })
  })
  const queued = new QueuedLlmClient(
    { hosts, log, metrics, now },
    {
      maxQueue: options.maxQueue,
      fallbackModel: options.fallbackModel,
      retryBackoffMs: options.retryBackoffMs,
      firstTokenTimeoutMs: options.firstTokenTimeoutMs,
    },
  )
  const cached = new CachedLlmClient({ inner: queued, replies, metadata, metrics })
  const monitor = new HostMonitor(
    { hosts, log, metrics, now, onHostUnreachable: options.onHostUnreachable },
    {
      intervalMs: options.healthCheckIntervalMs ?? 10_000,
      unreachableAlertMs: options.unreachableAlertMs ?? 5 * 60_000,
    },
  )
  const closing = new AbortController()
  monitor.start()

  async function embed(model: string, input: readonly string[]): Promise<number[][]> {
    const keys = input.map(
      (text) =>
        `emb:${canonicalModel(model)}:${createHash('sha256').update(text).digest('base64')}`,
    )
    const out = keys.map((key) => embeddings.get<number[]>(key))
    const missing = input.filter((_, i) => out[i] === undefined)
    for (const v of out) metrics.cache('embedding', v !== undefined)
    if (missing.length > 0) {
      const vectors = await embedOnSomeHost(model, missing)
      let next = 0
      for (const [i, key] of keys.entries()) {
        if (out[i] !== undefined) continue
        const vector = vectors[next++] ?? []
        out[i] = vector
        embeddings.set(key, vector)
      }
    }
    return out as number[][]
  }

  async function embedOnSomeHost(model: string, input: string[]): Promise<number[][]> {
    let lastErr: unknown
    for (const host of hosts.filter((h) => h.breaker.isAvailable() && h.mayHave(model))) {
      try {
        const vectors = await host.client.embed(model, input)
        host.breaker.recordSuccess()
        return vectors
      } catch (err) {
        if (err instanceof OllamaConnectionError) host.breaker.recordFailure()
        log.warn({ host: host.name, model, err }, 'llm embed failed')
        lastErr = err
      }
    }
    if (lastErr) throw lastErr
    throw new LlmUnavailableError('no Ollama host can embed', { model })
  }

  return {
    chat(request: LlmChatRequest): AsyncIterable<LlmEvent> {
      if (closing.signal.aborted) {
        return failing(new AppError('CANCELLED', 'the LLM gateway is shutting down'))
      }
      const signal = request.signal
        ? AbortSignal.any([request.signal, closing.signal])
        : closing.signal
      return cached.chat({ ...request, signal })
    },
    modelInfo: (model) => cached.modelInfo(model),
    health: () => queued.health(),
    forgetUser: (userKey) => cached.forgetUser(userKey),
    embed,
    async start(requiredModels) {
      try {
        const wanted = options.fallbackModel
          ? [options.fallbackModel, ...requiredModels]
          : requiredModels
        await setUpModels(
          { hosts, log, signal: closing.signal },
          {
            requiredModels: wanted,
            defaultModel: options.defaultModel,
            autoPull: options.autoPull,
            preloadKeepAlive: options.preloadKeepAlive ?? '30m',
          },
        )
      } catch (err) {
        log.error({ err }, 'llm start-up checks failed')
      }
    },
    async close() {
      monitor.stop()
      closing.abort(new AppError('CANCELLED', 'the LLM gateway is shutting down'))
      replies.clear()
      embeddings.clear()
      metadata.clear()
    },
  }
}

async function* failing(err: AppError): AsyncGenerator<LlmEvent> {
  yield* []
  throw err
}
