import { AppError } from './errors.js'

interface Slot {
  readonly controller: AbortController
  started: boolean
  release?: () => void
}

/** A held turn: `signal` aborts when the turn is stopped; call `release` when done. */
export interface Turn {
  readonly signal: AbortSignal
  release(): void
}

/**
 * One generation per key at a time (per account): later callers wait in order behind the
 * running one. `cancel(key)` aborts the running turn and every waiting one.
 */
export class SingleFlight {
  readonly #queues = new Map<string, Slot[]>()

  /** How many turns of `key` are running or waiting. */
  size(key: string): number {
    return this.#queues.get(key)?.length ?? 0
  }

  /**
   * Waits for the key's turn. `onWait(position)` is called when it has to wait (position = turns
   * ahead). Rejects with `CANCELLED` when `signal` aborts or the key is cancelled while waiting.
   */
  async acquire(
    key: string,
    signal: AbortSignal | undefined,
    onWait?: (position: number) => void,
  ): Promise<Turn> {
    const slot: Slot = { controller: new AbortController(), started: false }
    const queue = this.#queues.get(key) ?? []
    this.#queues.set(key, queue)
    queue.push(slot)
    const onAbort = () => slot.controller.abort()
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted) slot.controller.abort()

    const done = () => {
      signal?.removeEventListener('abort', onAbort)
      const q = this.#queues.get(key)
      if (!q) return
      const i = q.indexOf(slot)
      if (i >= 0) q.splice(i, 1)
      if (q.length === 0) this.#queues.delete(key)
      else this.#wake(q)
    }

    if (queue.length > 1) {
      onWait?.(queue.length - 1)
      await new Promise<void>((resolve, reject) => {
        const abort = () => {
          done()
          reject(new AppError('CANCELLED', 'cancelled while waiting'))
        }
        slot.release = () => {
          slot.controller.signal.removeEventListener('abort', abort)
          resolve()
        }
        if (slot.controller.signal.aborted) abort()
        else slot.controller.signal.addEventListener('abort', abort, { once: true })
      })
    }
    slot.started = true
    let released = false
    return {
      signal: slot.controller.signal,
      release: () => {
        if (released) return
        released = true
        done()
      },
    }
  }

  /** Aborts the running and waiting turns of `key`; true when there was one. */
  cancel(key: string): boolean {
    const queue = this.#queues.get(key)
    if (!queue || queue.length === 0) return false
    for (const slot of [...queue]) slot.controller.abort()
    return true
  }

  /** Aborts every turn of every key. */
  cancelAll(): void {
    for (const key of [...this.#queues.keys()]) this.cancel(key)
  }

  #wake(queue: Slot[]): void {
    const head = queue[0]
    if (head && !head.started) head.release?.()
  }
}
