import type { Registry } from 'prom-client'
import { AppError } from '../core/errors.js'
import type { LlmChatRequest, LlmClient, LlmEvent } from '../core/ports/llm.js'
import type { Logger } from '../core/ports/logger.js'
import { availableModels } from './available-models.js'
import { BoundedCache } from './bounded-cache.js'
import { CachedLlmClient } from './cached-llm-client.js'
import { CircuitBreaker } from './circuit-breaker.js'
import { ConcurrencyController } from './concurrency-controller.js'
import { HostMonitor } from './host-monitor.js'
import { HostQueue } from './host-queue.js'
import type { HostSlots } from './host-slots.js'
import { LlmHost } from './llm-host.js'
import { LlmMetrics } from './llm-metrics.js'
import { setUpModels } from './model-setup.js'
import { OllamaClient } from './ollama-client.js'
import { QueuedLlmClient } from './queued-llm-client.js'
import { redactHost } from './redact-host.js'

export interface LlmGatewayOptions {
  hosts: readonly string[] // OLLAMA_HOSTS
  defaultModel: string // OLLAMA_MODEL
  fallbackModel?: string | undefined // OLLAMA_FALLBACK_MODEL
  concurrency: number | 'auto' // OLLAMA_CONCURRENCY (per host): pinned, or learned per host
  maxConcurrency?: number | undefined // OLLAMA_MAX_CONCURRENCY (8): cap of the learned value
  maxQueue: number // OLLAMA_MAX_QUEUE (waiting requests, all hosts)
  autoPull: boolean // OLLAMA_AUTO_PULL
  firstTokenTimeoutMs: number // OLLAMA_FIRST_TOKEN_TIMEOUT_MS
  idleTimeoutMs: number // OLLAMA_IDLE_TIMEOUT_MS
  totalTimeoutMs: number // OLLAMA_TOTAL_TIMEOUT_MS
  loadingNoticeMs?: number | undefined // 5000
  /** Called once when a host has been unreachable for `unreachableAlertMs` (5 min). */
  onHostUnreachable?: ((host: string, downForMs: number) => void) | undefined
  unreachableAlertMs?: number | undefined
  /** How often hosts that failed lately are probed in the background (2 s, backing off). */
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
  /** Builds each host's slots; default `HostQueue` (this process only). Several replicas on
   *  PostgreSQL pass the shared queue so the cap holds summed over all of them. */
  slots?: HostSlotsFactory | undefined
}

export type HostSlotsFactory = (
  host: string,
  options: { concurrency: number; onDepth: (depth: number) => void },
) => HostSlots

export interface LlmGateway extends LlmClient {
  /** At start: list each host's models, log missing ones with the exact `ollama pull` command,
   *  auto-pull when enabled (logging progress), preload the default model. Never throws. */
  start(requiredModels: readonly string[]): Promise<void>
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
  const hosts = options.hosts.map((url) => {
    const name = redactHost(url)
    const concurrency = new ConcurrencyController(
      { now },
      {
        mode: options.concurrency,
        max: options.maxConcurrency ?? 8,
        onChange: (limit, reason) => {
          queue.setConcurrency(limit)
          metrics.concurrency(name, 'auto', limit)
          log.info({ host: name, concurrency: limit, reason }, 'llm host concurrency changed')
        },
      },
    )
    const onDepth = (depth: number) => metrics.queueDepth(name, depth)
    const queue = deps.slots
      ? deps.slots(name, { concurrency: concurrency.limit, onDepth })
      : new HostQueue({ onDepth }, { concurrency: concurrency.limit })
    metrics.concurrency(name, concurrency.mode, concurrency.limit)
    return new LlmHost({
      concurrency,
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
      queue,
      cache: metadata,
      log,
      now,
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
      intervalMs: options.healthCheckIntervalMs ?? 2_000,
      unreachableAlertMs: options.unreachableAlertMs ?? 5 * 60_000,
    },
  )
  const closing = new AbortController()
  monitor.start()

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
    availableModels: () => availableModels(hosts, cached, log),
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
      metadata.clear()
    },
  }
}

async function* failing(err: AppError): AsyncGenerator<LlmEvent> {
  yield* []
  throw err
}
