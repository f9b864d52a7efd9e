/** What a write is for: it decides how much of the budget it may use. */
export type WriteKind =
  /** The first text of a reply: goes as soon as the window allows, no pacing gap. */
  | 'first'
  /** A reply's complete text: same as `first`, and served before intermediate edits. */
  | 'final'
  /** A streaming update: paced so a long reply spreads its writes over the window. */
  | 'intermediate'

export interface WriteBudgetOptions {
  /** Writes the platform allows per window in one place (channel or chat). */
  readonly limit: number
  readonly windowMs: number
  /** Extra time added to the window for network jitter between us and the platform's clock. */
  readonly marginMs?: number | undefined
  readonly now?: (() => number) | undefined
}

/**
 * A platform's write budget per place as a sliding window: never more than `limit` writes in
 * any `windowMs` (+ margin), which also keeps inside a fixed window that starts anywhere. The
 * first and final writes of a reply go as soon as a slot is free; intermediate edits keep one
 * slot in reserve (for a final edit or another reply's first words) and are spaced by
 * `(window + margin) / (limit - 1)` after the place's last write, so a long reply never burns
 * the whole budget at once.
 */
export class WriteBudget {
  readonly #limit: number
  readonly #spanMs: number
  readonly #gapMs: number
  readonly #reserve: number
  readonly #now: () => number
  readonly #writes = new Map<string, number[]>()

  constructor(options: WriteBudgetOptions) {
    this.#limit = Math.max(1, options.limit)
    this.#spanMs = options.windowMs + (options.marginMs ?? 0)
    this.#gapMs = this.#limit > 1 ? this.#spanMs / (this.#limit - 1) : this.#spanMs
    this.#reserve = this.#limit >= 3 ? 1 : 0
    this.#now = options.now ?? Date.now
  }

  /** Milliseconds until a write of `kind` may go in `place` (0 = now). */
  delayFor(place: string, kind: WriteKind): number {
    const now = this.#now()
    const recent = this.#recent(place, now)
    const allowed = kind === 'intermediate' ? this.#limit - this.#reserve : this.#limit
    let due = now
    if (recent.length >= allowed) {
      // The write that has to leave the window before this one may go.
      due = (recent[recent.length - allowed] ?? now) + this.#spanMs
    }
    const last = recent.at(-1)
    if (kind === 'intermediate' && last !== undefined) due = Math.max(due, last + this.#gapMs)
    return Math.max(0, due - now)
  }

  /** Counts a write made now in `place` (by us or around us, e.g. a placeholder). */
  record(place: string): void {
    const now = this.#now()
    const recent = this.#recent(place, now)
    recent.push(now)
    this.#writes.set(place, recent)
    if (this.#writes.size > 1_000) this.#prune(now)
  }

  /** Writes in `place` inside the current window. */
  used(place: string): number {
    return this.#recent(place, this.#now()).length
  }

  #recent(place: string, now: number): number[] {
    const all = this.#writes.get(place) ?? []
    const from = all.findIndex((t) => t > now - this.#spanMs)
    return from < 0 ? [] : from === 0 ? all : all.slice(from)
  }

  #prune(now: number): void {
    for (const [place, writes] of this.#writes) {
      if ((writes.at(-1) ?? 0) <= now - this.#spanMs) this.#writes.delete(place)
    }
  }
}
