import type { Logger } from '../core/ports/logger.js'

/** Work started after a response (chat notices), tracked so shutdown can wait for it. */
export class PendingWork {
  readonly #running = new Set<Promise<void>>()
  readonly #log: Logger

  constructor(deps: { log: Logger }) {
    this.#log = deps.log
  }

  get size(): number {
    return this.#running.size
  }

  /**
   * Starts `task` on the next turn of the event loop, after the current response is written.
   * Its failure is logged, never thrown.
   */
  run(task: () => Promise<void>): void {
    const promise = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((err: unknown) => this.#log.error({ err }, 'background billing work failed'))
      .finally(() => this.#running.delete(promise))
    this.#running.add(promise)
  }

  /** Resolves once everything started so far (and anything it started) has finished. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running])
  }
}
