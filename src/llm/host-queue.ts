import PQueue from 'p-queue'
import { effectivePriority, type HostSlots, type SlotTicket } from './host-slots.js'

interface Waiter {
  readonly priority: number
  readonly seq: number
  readonly onPosition: (position: number) => void
  position: number
}

/**
 * One host's p-queue plus the bookkeeping p-queue lacks: each waiter's place in line, told
 * to it whenever it changes, and the queue depth for metrics.
 */
export class HostQueue implements HostSlots {
  readonly #queue: PQueue
  readonly #waiting = new Set<Waiter>()
  readonly #onDepth: (depth: number) => void
  #seq = 0

  constructor(deps: { onDepth: (depth: number) => void }, options: { concurrency: number }) {
    this.#queue = new PQueue({ concurrency: options.concurrency })
    this.#onDepth = deps.onDepth
  }

  /** Generations allowed to run at once on the host. */
  get concurrency(): number {
    return this.#queue.concurrency
  }

  /** Changes the slot count; a higher one starts waiting requests at once. */
  setConcurrency(concurrency: number): void {
    if (concurrency !== this.#queue.concurrency) this.#queue.concurrency = Math.max(1, concurrency)
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.#waiting.size
  }

  /** Requests holding a slot. */
  get running(): number {
    return this.#queue.pending
  }

  /** Occupancy relative to capacity, for least-loaded routing. */
  get load(): number {
    return (this.#waiting.size + this.#queue.pending) / this.concurrency
  }

  /** True when a new request would have to wait. */
  get full(): boolean {
    return this.#queue.pending >= this.concurrency || this.#waiting.size > 0
  }

  /** Runs `fn` when a slot is free; rejects with the signal's reason if aborted while waiting. */
  async run<T>(fn: () => Promise<T>, ticket: SlotTicket): Promise<T> {
    const priority = effectivePriority(ticket.priority, ticket.round ?? 0)
    const waiter: Waiter = {
      priority,
      seq: this.#seq++,
      onPosition: ticket.onPosition,
      position: 0,
    }
    this.#waiting.add(waiter)
    const promise = this.#queue.add(
      () => {
        this.#leave(waiter)
        return fn()
      },
      { priority, signal: ticket.signal },
    )
    if (this.#waiting.has(waiter)) this.#reposition()
    try {
      return await promise
    } finally {
      this.#leave(waiter)
    }
  }

  clear(): void {
    this.#queue.clear()
  }

  #leave(waiter: Waiter): void {
    if (this.#waiting.delete(waiter)) this.#reposition()
  }

  #reposition(): void {
    const order = [...this.#waiting].sort((a, b) => b.priority - a.priority || a.seq - b.seq)
    for (const [i, waiter] of order.entries()) {
      if (waiter.position === i + 1) continue
      waiter.position = i + 1
      waiter.onPosition(i + 1)
    }
    this.#onDepth(order.length)
  }
}
