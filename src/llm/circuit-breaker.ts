export type BreakerState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerOptions {
  /** Consecutive connection failures that open the circuit. */
  readonly failureThreshold?: number | undefined
  /** How long the circuit stays open before one probe request may try. */
  readonly openMs?: number | undefined
}

/**
 * Per-host circuit breaker: opens after `failureThreshold` consecutive connection failures,
 * lets exactly one probe through after `openMs` (half-open), closes on its success and
 * re-opens on its failure.
 */
export class CircuitBreaker {
  readonly #now: () => number
  readonly #threshold: number
  readonly #openMs: number
  #state: BreakerState = 'closed'
  #failures = 0
  #openedAt = 0
  #probeInFlight = false
  #downSince: number | null = null

  constructor(deps: { now: () => number }, options: CircuitBreakerOptions = {}) {
    this.#now = deps.now
    this.#threshold = options.failureThreshold ?? 3
    this.#openMs = options.openMs ?? 15_000
  }

  get state(): BreakerState {
    return this.#state
  }

  /** When the current run of failures began, or null while the host answers. */
  get downSince(): number | null {
    return this.#downSince
  }

  /** True when a request may be sent now (without claiming the half-open probe). */
  isAvailable(): boolean {
    if (this.#state === 'closed') return true
    if (this.#state === 'half-open') return !this.#probeInFlight
    return this.#now() - this.#openedAt >= this.#openMs
  }

  /** Claims permission for one request; in half-open only one probe at a time gets it. */
  acquire(): boolean {
    if (!this.isAvailable()) return false
    if (this.#state !== 'closed') {
      this.#state = 'half-open'
      this.#probeInFlight = true
    }
    return true
  }

  recordSuccess(): void {
    this.#state = 'closed'
    this.#failures = 0
    this.#probeInFlight = false
    this.#downSince = null
  }

  recordFailure(): void {
    this.#failures += 1
    this.#downSince ??= this.#now()
    if (this.#state === 'half-open' || this.#failures >= this.#threshold) {
      this.#state = 'open'
      this.#openedAt = this.#now()
    }
    this.#probeInFlight = false
  }

  /** Gives the probe back when a request ended without telling success or failure. */
  release(): void {
    if (this.#state === 'half-open' && this.#probeInFlight) {
      this.#probeInFlight = false
      this.#state = 'open'
      this.#openedAt = this.#now() - this.#openMs
    }
  }
}
