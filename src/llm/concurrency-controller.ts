/** What one finished generation tells about its host. */
export interface ConcurrencySample {
  /** When the generation was sent to the host (our clock). */
  readonly sentAt: number
  /** Generations running on the host when it was sent, itself included. */
  readonly inFlight: number
  /** Time from sending to the first token. */
  readonly firstTokenMs: number
  /** Prompt tokens Ollama evaluated (`prompt_eval_count`). */
  readonly promptTokens: number
  /** Generation speed of this stream. */
  readonly tokensPerSecond: number
}

export interface ConcurrencyControllerOptions {
  /** A number pins the limit; `auto` learns it. */
  readonly mode: 'auto' | number
  /** Upper bound of the learned limit (`OLLAMA_MAX_CONCURRENCY`). */
  readonly max: number
  /** Where `auto` starts (2, capped by `max`). */
  readonly initial?: number | undefined
  /** Called whenever the limit changes, with the reason. */
  readonly onChange?: ((limit: number, reason: 'raise' | 'wait' | 'slow') => void) | undefined
}

/** Recent samples kept to judge new ones. */
const HISTORY = 64
/** A first token this much slower than comparable recent ones means the request waited. */
const WAIT_FACTOR = 2
const WAIT_SLACK_MS = 250
/** A stream this much slower than the best recent one means the host is past its best. */
const SLOW_STREAM_RATIO = 0.5
/** Saturated, unhurt samples needed before trying one slot more. */
const GOOD_TO_RAISE = 2
/** Samples after which a learned ceiling is tested again (the host may have changed). */
const CEILING_MEMORY = 200

/**
 * Learns how many generations a host runs in parallel. Starts at 2 and raises the limit by one
 * after samples that used every slot came back unhurt; lowers it when a request waited inside
 * Ollama (its first token came far later than comparable recent ones, without a longer prompt)
 * or when a stream ran at half the speed of the best recent one. A sample sent with `k`
 * generations in flight that waited proves the host has fewer than `k` slots, so the limit drops
 * straight below `k` and stays there as a ceiling for a while. Never exceeds `max`.
 */
export class ConcurrencyController {
  readonly #now: () => number
  readonly #auto: boolean
  readonly #max: number
  readonly #onChange: ConcurrencyControllerOptions['onChange']
  readonly #history: ConcurrencySample[] = []
  #limit: number
  #ceiling: number
  #ceilingAge = 0
  #good = 0
  #lastDecreaseAt = Number.NEGATIVE_INFINITY

  constructor(deps: { now: () => number }, options: ConcurrencyControllerOptions) {
    this.#now = deps.now
    this.#max = Math.max(1, options.max)
    this.#auto = options.mode === 'auto'
    this.#limit =
      options.mode === 'auto'
        ? Math.min(this.#max, Math.max(1, options.initial ?? 2))
        : Math.max(1, options.mode)
    this.#ceiling = this.#max
    this.#onChange = options.onChange
  }

  get limit(): number {
    return this.#limit
  }

  get mode(): 'auto' | 'fixed' {
    return this.#auto ? 'auto' : 'fixed'
  }

  /** Feeds one finished generation; returns the (possibly new) limit. */
  observe(sample: ConcurrencySample): number {
    if (!this.#auto) return this.#limit
    const waited = this.#waited(sample)
    const slow = !waited && sample.inFlight > 1 && this.#slowStream(sample)
    this.#remember(sample)
    if (waited || slow) {
      this.#lower(sample, waited ? 'wait' : 'slow')
      return this.#limit
    }
    if (++this.#ceilingAge >= CEILING_MEMORY) {
      this.#ceiling = this.#max
      this.#ceilingAge = 0
    }
    if (sample.inFlight < this.#limit || sample.sentAt < this.#lastDecreaseAt) return this.#limit
    if (++this.#good >= GOOD_TO_RAISE && this.#limit < this.#ceiling) {
      this.#good = 0
      this.#set(this.#limit + 1, 'raise')
    }
    return this.#limit
  }

  /** Forgets what was learned about timings (after the host restarted). */
  reset(): void {
    this.#history.length = 0
    this.#good = 0
  }

  #waited(sample: ConcurrencySample): boolean {
    // Compare only with samples whose prompt was at least about as long.
    let best = Number.POSITIVE_INFINITY
    for (const s of this.#history) {
      if (s.promptTokens >= sample.promptTokens * 0.8) best = Math.min(best, s.firstTokenMs)
    }
    if (!Number.isFinite(best)) return false
    return sample.firstTokenMs > best * WAIT_FACTOR + WAIT_SLACK_MS
  }

  #slowStream(sample: ConcurrencySample): boolean {
    if (!(sample.tokensPerSecond > 0)) return false
    let best = 0
    for (const s of this.#history) best = Math.max(best, s.tokensPerSecond)
    return best > 0 && sample.tokensPerSecond < best * SLOW_STREAM_RATIO
  }

  #remember(sample: ConcurrencySample): void {
    this.#history.push(sample)
    if (this.#history.length > HISTORY) this.#history.shift()
  }

  #lower(sample: ConcurrencySample, reason: 'wait' | 'slow'): void {
    this.#good = 0
    this.#ceilingAge = 0
    const below = Math.max(1, sample.inFlight - 1)
    this.#ceiling = Math.min(this.#ceiling, Math.max(below, 1))
    // Samples sent before the last decrease describe the old limit: only cap, never cut twice.
    const next =
      sample.sentAt < this.#lastDecreaseAt
        ? Math.min(this.#limit, below)
        : Math.min(below, Math.max(1, Math.ceil(this.#limit * 0.75)))
    if (next < this.#limit) {
      this.#lastDecreaseAt = this.#now()
      this.#set(next, reason)
    }
  }

  #set(limit: number, reason: 'raise' | 'wait' | 'slow'): void {
    const next = Math.min(this.#max, Math.max(1, limit))
    if (next === this.#limit) return
    this.#limit = next
    this.#onChange?.(next, reason)
  }
}
