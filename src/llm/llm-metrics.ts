import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { Tier } from '../core/types.js'
import type { LlmErrorKind } from './errors.js'

export type CacheKind = 'reply' | 'metadata'

/** The gateway's Prometheus metrics (`jlm_llm_*`), registered on the injected registry. */
export class LlmMetrics {
  readonly #queueDepth: Gauge<'host'>
  readonly #queueWait: Histogram<'tier'>
  readonly #firstToken: Histogram<'host' | 'model'>
  readonly #tokensPerSecond: Histogram<'host' | 'model'>
  readonly #requests: Counter<'host' | 'model' | 'outcome'>
  readonly #cacheHits: Counter<'kind'>
  readonly #cacheMisses: Counter<'kind'>
  readonly #errors: Counter<'host' | 'model' | 'kind'>
  readonly #hostUp: Gauge<'host'>

  constructor(registry: Registry) {
    const registers = [registry]
    this.#queueDepth = new Gauge({
      name: 'jlm_llm_queue_depth',
      help: 'Requests waiting for a generation slot, per Ollama host',
      labelNames: ['host'],
      registers,
    })
    this.#queueWait = new Histogram({
      name: 'jlm_llm_queue_wait_seconds',
      help: 'Time a request waited in the queue before its generation started',
      labelNames: ['tier'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    })
    this.#firstToken = new Histogram({
      name: 'jlm_llm_time_to_first_token_seconds',
      help: 'Time from sending a generation to its first token',
      labelNames: ['host', 'model'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 90],
      registers,
    })
    this.#tokensPerSecond = new Histogram({
      name: 'jlm_llm_tokens_per_second',
      help: 'Generation speed reported by Ollama (eval_count / eval_duration)',
      labelNames: ['host', 'model'],
      buckets: [1, 5, 10, 20, 40, 80, 160, 320],
      registers,
    })
    this.#requests = new Counter({
      name: 'jlm_llm_requests_total',
      help: 'Generations by host, model and outcome',
      labelNames: ['host', 'model', 'outcome'],
      registers,
    })
    this.#cacheHits = new Counter({
      name: 'jlm_llm_cache_hits_total',
      help: 'LLM cache hits by kind',
      labelNames: ['kind'],
      registers,
    })
    this.#cacheMisses = new Counter({
      name: 'jlm_llm_cache_misses_total',
      help: 'LLM cache misses by kind',
      labelNames: ['kind'],
      registers,
    })
    this.#errors = new Counter({
      name: 'jlm_llm_errors_total',
      help: 'LLM failures by host, model and kind',
      labelNames: ['host', 'model', 'kind'],
      registers,
    })
    this.#hostUp = new Gauge({
      name: 'jlm_llm_host_up',
      help: '1 when the host answers and its circuit is closed',
      labelNames: ['host'],
      registers,
    })
  }

  queueDepth(host: string, depth: number): void {
    this.#queueDepth.set({ host }, depth)
  }

  queueWait(tier: Tier, seconds: number): void {
    this.#queueWait.observe({ tier }, seconds)
  }

  firstToken(host: string, model: string, seconds: number): void {
    this.#firstToken.observe({ host, model }, seconds)
  }

  completed(host: string, model: string, tokensPerSecond: number): void {
    this.#requests.inc({ host, model, outcome: 'ok' })
    if (tokensPerSecond > 0) this.#tokensPerSecond.observe({ host, model }, tokensPerSecond)
  }

  error(host: string, model: string, kind: LlmErrorKind): void {
    this.#errors.inc({ host, model, kind })
  }

  cache(kind: CacheKind, hit: boolean): void {
    ;(hit ? this.#cacheHits : this.#cacheMisses).inc({ kind })
  }

  hostUp(host: string, up: boolean): void {
    this.#hostUp.set({ host }, up ? 1 : 0)
  }
}
