/** The last few generation times, for the wait estimate a refused caller is given. */
export class RecentDurations {
  readonly #samples: number[] = []
  readonly #size: number
  readonly #defaultMs: number

  constructor(options: { size?: number; defaultMs?: number } = {}) {
    this.#size = options.size ?? 50
    this.#defaultMs = options.defaultMs ?? 10_000
  }

  record(ms: number): void {
    this.#samples.push(ms)
    if (this.#samples.length > this.#size) this.#samples.shift()
  }

  /** Whole seconds (at least 1) until a newcomer behind `waiting` others would start. */
  estimateWaitSeconds(waiting: number, slots: number): number {
    const samples = this.#samples
    const avgMs =
      samples.length > 0 ? samples.reduce((a, b) => a + b, 0) / samples.length : this.#defaultMs
    return Math.max(1, Math.ceil(((waiting / Math.max(1, slots) + 1) * avgMs) / 1000))
  }
}
