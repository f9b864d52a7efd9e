import type { Registry } from 'prom-client'

/** One point of the overview's live charts. */
export interface LiveSample {
  /** Epoch seconds. */
  readonly t: number
  /** Requests waiting for a generation slot, all hosts. */
  readonly queueDepth: number
  /** Mean queue wait (seconds) of the requests that started in the interval, per tier. */
  readonly waitPremium: number | null
  readonly waitFree: number | null
  /** Mean time to first token (seconds) of the generations that started in the interval. */
  readonly firstToken: number | null
}

export interface LiveSamplerOptions {
  /** Default 2000 ms, as the issue asks. */
  readonly intervalMs?: number | undefined
  /** Default one hour of points. */
  readonly keepMs?: number | undefined
  readonly now?: (() => number) | undefined
}

interface Totals {
  readonly sum: number
  readonly count: number
}

type MetricValue = { value: number; labels: Record<string, string | number>; metricName?: string }

/**
 * Samples the gateway's own Prometheus metrics (`justlayme_llm_*`) every two seconds and keeps
 * the last hour in memory: the console's charts read the numbers `/metrics` already exports.
 */
export class LiveSampler {
  readonly #registry: Registry
  readonly #intervalMs: number
  readonly #keep: number
  readonly #now: () => number
  readonly #samples: LiveSample[] = []
  #last = new Map<string, Totals>()
  #timer: NodeJS.Timeout | undefined

  constructor(registry: Registry, options: LiveSamplerOptions = {}) {
    this.#registry = registry
    this.#intervalMs = options.intervalMs ?? 2_000
    this.#keep = Math.ceil((options.keepMs ?? 3_600_000) / this.#intervalMs)
    this.#now = options.now ?? Date.now
  }

  start(): void {
    if (this.#timer) return
    void this.sample()
    this.#timer = setInterval(() => void this.sample(), this.#intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** The points of the last hour, oldest first. */
  samples(): readonly LiveSample[] {
    return this.#samples
  }

  /** Requests waiting per Ollama host right now (the `host` label of the queue gauge). */
  async hostQueues(): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const v of await this.#values('justlayme_llm_queue_depth').catch(() => [])) {
      out[String(v.labels.host)] = v.value
    }
    return out
  }

  /** Takes one point now (the timer calls it; never throws). */
  async sample(): Promise<void> {
    try {
      const depth = await this.#values('justlayme_llm_queue_depth')
      const wait = await this.#values('justlayme_llm_queue_wait_seconds')
      const first = await this.#values('justlayme_llm_time_to_first_token_seconds')
      this.#samples.push({
        t: Math.round(this.#now() / 1000),
        queueDepth: depth.reduce((n, v) => n + v.value, 0),
        waitPremium: this.#mean('wait:premium', wait, (l) => l.tier === 'premium'),
        waitFree: this.#mean('wait:free', wait, (l) => l.tier === 'free'),
        firstToken: this.#mean('ttft', first, () => true),
      })
      if (this.#samples.length > this.#keep)
        this.#samples.splice(0, this.#samples.length - this.#keep)
    } catch {
      // A metric not registered yet (no gateway) leaves a gap, not an error.
    }
  }

  async #values(name: string): Promise<MetricValue[]> {
    const metric = this.#registry.getSingleMetric(name)
    if (!metric) return []
    return (await metric.get()).values as MetricValue[]
  }

  /** The mean of a histogram over the interval: (Δsum / Δcount) of the matching series. */
  #mean(
    key: string,
    values: readonly MetricValue[],
    match: (labels: Record<string, string | number>) => boolean,
  ): number | null {
    let sum = 0
    let count = 0
    for (const v of values) {
      if (!match(v.labels)) continue
      if (v.metricName?.endsWith('_sum')) sum += v.value
      else if (v.metricName?.endsWith('_count')) count += v.value
    }
    const before = this.#last.get(key)
    this.#last.set(key, { sum, count })
    if (!before || count <= before.count) return null
    return (sum - before.sum) / (count - before.count)
  }
}
