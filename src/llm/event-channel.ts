/**
 * A single-consumer async queue: producers `push` events from callbacks and timers, the
 * consumer iterates them in order. `end()` finishes iteration, `fail(err)` makes it throw.
 * The iterator is hand-written (one promise per item, no generator) because every token of
 * every reply passes through it.
 */
export class EventChannel<T> implements AsyncIterable<T> {
  readonly #items: T[] = []
  #finished = false
  #error: { readonly err: unknown } | null = null
  #waiter: {
    resolve: (result: IteratorResult<T>) => void
    reject: (err: unknown) => void
  } | null = null
  #onExit: (() => Promise<void>) | null = null

  push(item: T): void {
    if (this.#finished) return
    const waiter = this.#waiter
    if (waiter) {
      this.#waiter = null
      waiter.resolve({ value: item, done: false })
      return
    }
    this.#items.push(item)
  }

  end(): void {
    if (this.#finished) return
    this.#finished = true
    this.#settleWaiter()
  }

  fail(err: unknown): void {
    if (this.#finished) return
    this.#error = { err }
    this.#finished = true
    this.#settleWaiter()
  }

  /** Runs when the consumer stops early (`break`, `return`, a throw in its loop body). */
  onEarlyExit(cleanup: () => Promise<void>): this {
    this.#onExit = cleanup
    return this
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#items.length > 0) {
          return Promise.resolve({ value: this.#items.shift() as T, done: false })
        }
        if (this.#finished) return this.#finalResult()
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          this.#waiter = { resolve, reject }
        })
      },
      return: async (): Promise<IteratorResult<T>> => {
        const exit = this.#onExit
        this.#onExit = null
        this.#items.length = 0
        if (exit) await exit()
        return { value: undefined, done: true }
      },
    }
  }

  #finalResult(): Promise<IteratorResult<T>> {
    this.#onExit = null
    if (this.#error) return Promise.reject(this.#error.err)
    return Promise.resolve({ value: undefined, done: true })
  }

  #settleWaiter(): void {
    const waiter = this.#waiter
    if (!waiter) return
    this.#waiter = null
    this.#finalResult().then(waiter.resolve, waiter.reject)
  }
}
