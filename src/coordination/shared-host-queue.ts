import type { HostSlots, SlotTicket } from '../llm/host-slots.js'
import type { SignalBus } from './ports.js'
import type { GrantOutcome, SqlGpuTickets } from './sql-gpu-tickets.js'

export interface SharedHostQueueDeps {
  readonly tickets: SqlGpuTickets
  readonly bus: SignalBus
  /** This replica's id (`Membership.id`). */
  readonly replica: string
  readonly onDepth: (depth: number) => void
  readonly onError: (err: unknown, what: string) => void
}

export interface SharedHostQueueOptions {
  /** The host's name as every replica configures it (the queue's key). */
  readonly host: string
  readonly concurrency: number
  /** How often waiters look at the table when no signal woke them (250 ms). */
  readonly pollMs?: number | undefined
  /** How often this replica renews its tickets' leases (a third of their time-to-live). */
  readonly renewMs: number
}

interface Waiter {
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
  readonly onPosition: (position: number) => void
  position: number
}

/** The channel that wakes every replica's waiters when slots were granted or freed. */
export const GPU_CHANNEL = 'gpu'

/**
 * One Ollama host's slots shared by every replica on PostgreSQL (`SqlGpuTickets`): a
 * generation enqueues a ticket, runs when a grant step gives it a slot, and releases it when
 * done. Replicas wake each other through the signal bus and also poll, so a missed signal only
 * delays. A replica that dies stops renewing its tickets, and their slots free up once the lease
 * expires. `waiting`, `running` and `full` are the host's counts as of the last grant step.
 */
export class SharedHostQueue implements HostSlots {
  readonly #deps: SharedHostQueueDeps
  readonly #host: string
  readonly #pollMs: number
  readonly #renewMs: number
  readonly #waiters = new Map<number, Waiter>()
  #concurrency: number
  #capacityWritten: Promise<void> | undefined
  #running = 0
  #waiting = 0
  #owned = 0
  #wake: (() => void) | undefined
  #woken = false
  #looping = false
  #renewTimer: NodeJS.Timeout | undefined
  #unsubscribe: (() => void) | undefined

  constructor(deps: SharedHostQueueDeps, options: SharedHostQueueOptions) {
    this.#deps = deps
    this.#host = options.host
    this.#concurrency = Math.max(1, options.concurrency)
    this.#pollMs = options.pollMs ?? 250
    this.#renewMs = options.renewMs
  }

  get concurrency(): number {
    return this.#concurrency
  }

  setConcurrency(concurrency: number): void {
    const next = Math.max(1, concurrency)
    if (next === this.#concurrency) return
    this.#concurrency = next
    this.#capacityWritten = this.#deps.tickets
      .setCapacity(this.#host, next)
      .then(() => this.#grant())
      .catch((err: unknown) => this.#deps.onError(err, 'writing the GPU slot count'))
  }

  get waiting(): number {
    return this.#waiting
  }

  get running(): number {
    return this.#running
  }

  get load(): number {
    return (this.#waiting + this.#running) / this.#concurrency
  }

  get full(): boolean {
    return this.#running >= this.#concurrency || this.#waiting > 0
  }

  async run<T>(fn: () => Promise<T>, ticket: SlotTicket): Promise<T> {
    ticket.signal?.throwIfAborted()
    this.#capacityWritten ??= this.#deps.tickets
      .setCapacity(this.#host, this.#concurrency)
      .catch((err: unknown) => {
        this.#capacityWritten = undefined
        throw err
      })
    await this.#capacityWritten
    this.#hold()
    let id: number | undefined
    try {
      const asked = {
        host: this.#host,
        person: ticket.person ?? '',
        priority: ticket.priority,
        replica: this.#deps.replica,
      }
      const fast = await this.#deps.tickets.tryAcquire(asked)
      const entered = fast ?? (await this.#deps.tickets.enqueue(asked))
      id = entered.id
      this.#seen(entered)
      if (!fast && !entered.granted.some((g) => g.id === entered.id)) {
        await this.#wait(entered.id, ticket)
      }
      return await fn()
    } finally {
      if (id !== undefined) await this.#release(id)
      this.#letGo()
    }
  }

  #wait(id: number, ticket: SlotTicket): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (ticket.signal?.aborted) {
        reject(ticket.signal.reason)
        return
      }
      const onAbort = () => {
        this.#waiters.delete(id)
        reject(ticket.signal?.reason)
      }
      ticket.signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiters.set(id, {
        resolve: () => {
          ticket.signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        reject,
        onPosition: ticket.onPosition,
        position: 0,
      })
      void this.#loop()
    })
  }

  /**
   * While tickets wait here: look at ours after each signal (places in line), and on each poll
   * run a grant step first (slots of a dead replica, a missed signal).
   */
  async #loop(): Promise<void> {
    if (this.#looping) return
    this.#looping = true
    let polled = false
    try {
      while (this.#waiters.size > 0) {
        try {
          if (polled) await this.#grant()
          for (const state of await this.#deps.tickets.mine(this.#host, this.#deps.replica)) {
            const waiter = this.#waiters.get(state.id)
            if (!waiter) continue
            if (state.running) {
              this.#waiters.delete(state.id)
              waiter.resolve()
            } else if (waiter.position !== state.position) {
              waiter.position = state.position
              waiter.onPosition(state.position)
            }
          }
        } catch (err) {
          this.#deps.onError(err, 'checking the GPU queue')
        }
        if (this.#waiters.size > 0) polled = await this.#sleep()
      }
    } finally {
      this.#looping = false
    }
  }

  /** Resolves true after a poll interval, false when a signal came first. */
  #sleep(): Promise<boolean> {
    if (this.#woken) {
      this.#woken = false
      return Promise.resolve(false)
    }
    return new Promise((resolve) => {
      const done = (polled: boolean) => {
        clearTimeout(timer)
        this.#wake = undefined
        this.#woken = false
        resolve(polled)
      }
      const timer = setTimeout(() => done(true), this.#pollMs)
      this.#wake = () => done(false)
    })
  }

  /** Another replica granted slots: ours start at once, the others' places changed. */
  #onSignal(payload: string): void {
    let signal: { host?: unknown; granted?: unknown }
    try {
      signal = JSON.parse(payload) as typeof signal
    } catch {
      return
    }
    if (signal.host !== this.#host || !Array.isArray(signal.granted)) return
    for (const id of signal.granted) {
      const waiter = this.#waiters.get(Number(id))
      this.#waiters.delete(Number(id))
      waiter?.resolve()
    }
    this.#wakeUp()
  }

  #wakeUp(): void {
    this.#woken = true
    this.#wake?.()
  }

  async #grant(): Promise<void> {
    this.#seen(await this.#deps.tickets.grant(this.#host))
  }

  async #release(id: number): Promise<void> {
    try {
      this.#seen(await this.#deps.tickets.release(this.#host, id))
    } catch (err) {
      // The lease runs out and another replica's grant step frees the slot.
      this.#deps.onError(err, 'releasing a GPU slot')
    }
  }

  /** Records the host's counts and tells other replicas when their tickets were granted. */
  #seen(outcome: GrantOutcome): void {
    this.#running = outcome.running
    this.#waiting = outcome.waiting
    this.#deps.onDepth(outcome.waiting)
    const theirs = outcome.granted.filter((g) => g.replica !== this.#deps.replica)
    if (theirs.length > 0) {
      const payload = JSON.stringify({ host: this.#host, granted: theirs.map((g) => g.id) })
      this.#deps.bus.publish(GPU_CHANNEL, payload).catch((err: unknown) => {
        this.#deps.onError(err, 'signalling the GPU queue')
      })
    }
    for (const { id } of outcome.granted) {
      const waiter = this.#waiters.get(id)
      this.#waiters.delete(id)
      waiter?.resolve()
    }
  }

  /** Subscribes and renews leases while this replica has tickets on the host. */
  #hold(): void {
    if (this.#owned++ > 0) return
    this.#unsubscribe = this.#deps.bus.subscribe(GPU_CHANNEL, (payload) => this.#onSignal(payload))
    this.#renewTimer = setInterval(() => {
      this.#deps.tickets.renew(this.#deps.replica).catch((err: unknown) => {
        this.#deps.onError(err, 'renewing GPU slot leases')
      })
    }, this.#renewMs)
    this.#renewTimer.unref()
  }

  #letGo(): void {
    if (--this.#owned > 0) return
    clearInterval(this.#renewTimer)
    this.#unsubscribe?.()
  }
}
