/**
 * The last `capacity` ids seen (insertion order), oldest forgotten first, so memory stays
 * bounded: messages a bot posted itself (Discord), redelivered update ids (Telegram webhook).
 */
export class RecentIds<T extends string | number> {
  readonly #ids = new Set<T>()
  readonly #capacity: number

  constructor(capacity = 5000) {
    this.#capacity = capacity
  }

  /** Remembers `id`; true the first time it is seen. */
  add(id: T): boolean {
    if (this.#ids.has(id)) return false
    this.#ids.add(id)
    if (this.#ids.size > this.#capacity) {
      const oldest = this.#ids.values().next().value
      if (oldest !== undefined) this.#ids.delete(oldest)
    }
    return true
  }

  has(id: T): boolean {
    return this.#ids.has(id)
  }
}
