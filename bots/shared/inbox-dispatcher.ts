import type { ClaimedEntry, Inbox } from '../../src/coordination/inbox.js'
import type { SignalBus } from '../../src/coordination/ports.js'
import type { Logger } from '../../src/core/ports/logger.js'

/** What a handler reports about the entry it is handling. */
export interface InboxWork {
  /** The entry is in the core's hands (queued or answering): the chat's next one may start. */
  taken(): void
  /** The first message of the reply exists at `ref`: a takeover continues there. */
  replyStarted(ref: string): void
}

/** `finish`: handled (or answered as far as it got); `release`: give it back, not started. */
export type InboxOutcome = 'finish' | 'release'

export interface InboxDispatcherOptions {
  readonly inbox: Inbox
  readonly bus: SignalBus
  readonly platform: string
  /** This replica's id. */
  readonly holder: string
  /** REPLICA_TIMEOUT_MS: a claim not renewed for this long is taken over. */
  readonly ttlMs: number
  readonly log: Logger
  readonly handle: (entry: ClaimedEntry, work: InboxWork) => Promise<InboxOutcome>
  /** Entries handled at once by this replica. */
  readonly maxActive?: number
  /** An entry tried this often without finishing is dropped (logged), not retried forever. */
  readonly maxAttempts?: number
}

/** The signal channel that wakes the dispatchers of `platform` on every replica. */
export function inboxChannel(platform: string): string {
  return `inbox:${platform}`
}

/**
 * Runs on every replica: claims recorded entries of one platform (each chat in order, one at
 * a time until the core has taken it), hands them to the adapter, renews the claims while they
 * are handled and finishes or releases them. Woken by the signal bus when something is recorded
 * anywhere, and every third of the claim time in case a signal was missed.
 */
export class InboxDispatcher {
  readonly #o: InboxDispatcherOptions
  readonly #active = new Map<string, Promise<void>>()
  #claiming: Promise<void> | undefined
  #again = false
  #stopped = true
  #timer: NodeJS.Timeout | undefined
  #unsubscribe: (() => void) | undefined

  constructor(options: InboxDispatcherOptions) {
    this.#o = options
  }

  get active(): number {
    return this.#active.size
  }

  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.#unsubscribe = this.#o.bus.subscribe(inboxChannel(this.#o.platform), () => this.wake())
    this.#timer = setInterval(
      () => {
        void this.#renew()
        this.wake()
      },
      Math.max(50, Math.floor(this.#o.ttlMs / 3)),
    )
    this.#timer.unref()
    this.wake()
  }

  /** Something was recorded: claim what is free now. */
  wake(): void {
    if (this.#stopped) return
    if (this.#claiming !== undefined) {
      this.#again = true
      return
    }
    this.#claiming = this.#claimAll().finally(() => {
      this.#claiming = undefined
      if (this.#again && !this.#stopped) {
        this.#again = false
        this.wake()
      }
    })
  }

  /** Tells every replica's dispatcher that entries were recorded. */
  async announce(): Promise<void> {
    try {
      await this.#o.bus.publish(inboxChannel(this.#o.platform), '')
    } catch (err) {
      this.#o.log.warn({ err }, 'inbox: could not signal the other replicas')
    }
    this.wake()
  }

  /** Claims nothing more (a drain); entries being handled go on until they settle. */
  async stopClaiming(): Promise<void> {
    this.#stopped = true
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    await this.#claiming
  }

  /** Waits until every entry being handled was finished or released; stops renewing after. */
  async settle(): Promise<void> {
    await this.stopClaiming()
    while (this.#active.size > 0) await Promise.allSettled([...this.#active.values()])
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #claimAll(): Promise<void> {
    const max = this.#o.maxActive ?? 32
    while (!this.#stopped && this.#active.size < max) {
      let claimed: ClaimedEntry[]
      try {
        claimed = await this.#o.inbox.claim(
          this.#o.platform,
          this.#o.holder,
          this.#o.ttlMs,
          max - this.#active.size,
        )
      } catch (err) {
        this.#o.log.warn({ err }, 'inbox: claiming failed; trying again shortly')
        return
      }
      if (claimed.length === 0) return
      for (const entry of claimed) {
        if (this.#stopped) await this.#safely('release', () => this.#release(entry.id))
        else this.#run(entry)
      }
    }
  }

  #run(entry: ClaimedEntry): void {
    const { inbox, holder, log } = this.#o
    // Reports go out in order: `taken` before `finish`, never after it.
    let reports: Promise<void> = Promise.resolve()
    const report = (what: string, fn: () => Promise<void>) => {
      reports = reports.then(() => this.#safely(what, fn))
    }
    const work: InboxWork = {
      taken: () => {
        report('taken', () => inbox.taken(entry.id, holder))
        void reports.then(() => this.wake())
      },
      replyStarted: (ref) =>
        report('replyStarted', () => inbox.replyStarted(entry.id, holder, ref)),
    }
    const task = (async () => {
      let outcome: InboxOutcome = 'finish'
      if (entry.attempts > (this.#o.maxAttempts ?? 5)) {
        log.error(
          { id: entry.id, attempts: entry.attempts },
          'inbox: entry dropped after too many attempts',
        )
      } else {
        try {
          outcome = await this.#o.handle(entry, work)
        } catch (err) {
          log.error({ err, id: entry.id }, 'inbox: handling an entry failed')
        }
      }
      await reports
      await this.#safely(outcome, () =>
        outcome === 'release' ? this.#release(entry.id) : inbox.finish(entry.id, holder),
      )
    })().finally(() => {
      this.#active.delete(entry.id)
      this.wake()
    })
    this.#active.set(entry.id, task)
  }

  async #release(id: string): Promise<void> {
    await this.#o.inbox.release(id, this.#o.holder)
    // Another replica may take it now.
    await this.#o.bus.publish(inboxChannel(this.#o.platform), '').catch(() => {})
  }

  async #renew(): Promise<void> {
    const ids = [...this.#active.keys()]
    if (ids.length === 0) return
    try {
      const kept = new Set(await this.#o.inbox.renew(ids, this.#o.holder, this.#o.ttlMs))
      const lost = ids.filter((id) => !kept.has(id) && this.#active.has(id))
      if (lost.length > 0) this.#o.log.warn({ ids: lost }, 'inbox: claims lost while handling')
    } catch (err) {
      this.#o.log.warn({ err }, 'inbox: renewing claims failed')
    }
  }

  async #safely(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn()
    } catch (err) {
      // The claim runs out and the entry is handled again: never lost, rarely twice.
      this.#o.log.warn({ err }, `inbox: ${what} failed`)
    }
  }
}
