import type { Logger } from '../core/ports/logger.js'
import type { BoundedCache } from './bounded-cache.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import type { ConcurrencyController } from './concurrency-controller.js'
import { OllamaConnectionError } from './errors.js'
import type { HostSlots } from './host-slots.js'
import { canonicalModel } from './model-name.js'
import type { OllamaClient } from './ollama-client.js'

export interface LlmHostDeps {
  readonly client: OllamaClient
  readonly breaker: CircuitBreaker
  readonly queue: HostSlots
  /** Decides the queue's slot count (pinned or learned). */
  readonly concurrency: ConcurrencyController
  /** Shared metadata cache (tags, ps, show, version) with short TTLs. */
  readonly cache: BoundedCache
  readonly log: Logger
  readonly now?: (() => number) | undefined
}

export interface LlmHostOptions {
  readonly tagsTtlSeconds?: number | undefined
  readonly psTtlSeconds?: number | undefined
  /** Least time between two reachability probes of this host (1 s). */
  readonly probeIntervalMs?: number | undefined
}

/**
 * One Ollama server as the router sees it: its client, breaker and queue, and what it last
 * said about installed (`/api/tags`) and loaded (`/api/ps`) models. Routing reads the last
 * known lists synchronously and refreshes them in the background once their TTL expires,
 * so no request waits for a metadata call.
 */
export class LlmHost {
  /** Host URL without credentials, for logs and metric labels. */
  readonly name: string
  readonly client: OllamaClient
  readonly breaker: CircuitBreaker
  readonly queue: HostSlots
  readonly concurrency: ConcurrencyController
  readonly #cache: BoundedCache
  readonly #log: Logger
  readonly #tagsTtl: number
  readonly #psTtl: number
  readonly #now: () => number
  readonly #probeIntervalMs: number
  #probing: Promise<boolean> | undefined
  #lastProbeAt = Number.NEGATIVE_INFINITY
  #lastProbeOk = false
  #installed: Set<string> | null = null
  #loaded = new Set<string>()

  constructor(deps: LlmHostDeps, options: LlmHostOptions = {}) {
    this.client = deps.client
    this.breaker = deps.breaker
    this.queue = deps.queue
    this.concurrency = deps.concurrency
    this.#cache = deps.cache
    this.#log = deps.log
    this.name = deps.client.name
    this.#tagsTtl = options.tagsTtlSeconds ?? 30
    this.#psTtl = options.psTtlSeconds ?? 3
    this.#now = deps.now ?? Date.now
    this.#probeIntervalMs = options.probeIntervalMs ?? 1_000
  }

  /** When the last reachability probe started (-Infinity before the first). */
  get lastProbeAt(): number {
    return this.#lastProbeAt
  }

  /**
   * Asks the host whether it answers (`/api/version`, uncached) and tells the breaker: an
   * answer closes the circuit, a connection failure counts against it. At most one probe per
   * `probeIntervalMs`: callers inside the interval share the running probe, get a recent
   * success, or wait for the interval to pass after a recent failure (never a stale "down").
   */
  probe(): Promise<boolean> {
    if (this.#probing !== undefined) return this.#probing
    const wait = this.#lastProbeAt + this.#probeIntervalMs - this.#now()
    if (wait > 0 && this.#lastProbeOk) return Promise.resolve(true)
    const probing = this.#runProbe(Math.max(0, wait))
    this.#probing = probing
    void probing.finally(() => {
      if (this.#probing === probing) this.#probing = undefined
    })
    return probing
  }

  async #runProbe(waitMs: number): Promise<boolean> {
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs))
    this.#lastProbeAt = this.#now()
    try {
      await this.client.version()
      const wasDown = this.breaker.downSince !== null
      this.breaker.recordSuccess()
      if (wasDown) this.#log.info({ host: this.name }, 'llm host reachable again')
      this.#lastProbeOk = true
    } catch (err) {
      if (err instanceof OllamaConnectionError) this.breaker.recordFailure()
      this.#lastProbeOk = false
      this.#log.debug({ host: this.name, err }, 'llm host probe failed')
    }
    return this.#lastProbeOk
  }

  /** False only when the last `/api/tags` answer lacked the model. */
  mayHave(model: string): boolean {
    this.#refreshInBackground()
    return this.#installed === null || this.#installed.has(canonicalModel(model))
  }

  /** True when the last `/api/ps` answer (or our last reply) had the model in memory. */
  isLoaded(model: string): boolean {
    this.#refreshInBackground()
    return this.#loaded.has(canonicalModel(model))
  }

  markLoaded(model: string): void {
    this.#loaded.add(canonicalModel(model))
    this.#installed?.add(canonicalModel(model))
  }

  markInstalled(model: string): void {
    this.#installed?.add(canonicalModel(model))
    this.#cache.delete(`tags:${this.name}`)
  }

  markMissing(model: string): void {
    this.#installed ??= new Set()
    this.#installed.delete(canonicalModel(model))
    this.#loaded.delete(canonicalModel(model))
  }

  /** Installed models (cached for the tags TTL). Throws when the host cannot be reached. */
  async models(): Promise<string[]> {
    const names = await this.#cache.getOrLoad(
      `tags:${this.name}`,
      () => this.client.listModels(),
      this.#tagsTtl,
    )
    this.#installed = new Set(names.map(canonicalModel))
    return names
  }

  /** Models in memory (cached for the ps TTL). Throws when the host cannot be reached. */
  async loadedModels(): Promise<string[]> {
    const names = await this.#cache.getOrLoad(
      `ps:${this.name}`,
      () => this.client.loadedModels(),
      this.#psTtl,
    )
    this.#loaded = new Set(names.map(canonicalModel))
    return names
  }

  /** Ollama's version (cached a few seconds); throws when the host cannot be reached. */
  version(): Promise<string> {
    return this.#cache.getOrLoad(`version:${this.name}`, () => this.client.version(), this.#psTtl)
  }

  #refreshInBackground(): void {
    if (!this.breaker.isAvailable() || this.breaker.state !== 'closed') return
    if (this.#cache.get(`tags:${this.name}`) === undefined) {
      this.models().catch((err: unknown) => {
        this.#log.debug({ host: this.name, err }, 'llm tags refresh failed')
      })
    }
    if (this.#cache.get(`ps:${this.name}`) === undefined) {
      this.loadedModels().catch((err: unknown) => {
        this.#log.debug({ host: this.name, err }, 'llm ps refresh failed')
      })
    }
  }
}
