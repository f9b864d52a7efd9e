/**
 * Replies still rendering, so a bot's `stop()` can let them finish (bounded) and then cancel
 * them. Both bots use it: waiting first keeps replies whole across a restart when it can.
 */
export class InFlight {
  readonly #tasks = new Map<Promise<void>, AbortController | undefined>()

  get size(): number {
    return this.#tasks.size
  }

  track(task: Promise<void>, controller?: AbortController): void {
    const settled = task.then(
      () => {},
      () => {},
    )
    this.#tasks.set(settled, controller)
    void settled.then(() => this.#tasks.delete(settled))
  }

  /** Waits up to `graceMs`, then aborts what is left and waits up to `graceMs` again. */
  async drain(graceMs: number): Promise<void> {
    if (!(await this.#settleWithin(graceMs))) {
      for (const controller of this.#tasks.values()) controller?.abort()
      await this.#settleWithin(graceMs)
    }
  }

  async #settleWithin(ms: number): Promise<boolean> {
    if (this.#tasks.size === 0) return true
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
    const all = Promise.all(this.#tasks.keys()).then(() => true as const)
    const done = await Promise.race([all, timeout])
    clearTimeout(timer)
    return done && this.#tasks.size === 0
  }
}
