import type { LeaseGrant, LeaseStore, ReplicaInfo, ReplicaRegistry } from './ports.js'

export interface MembershipOptions {
  readonly registry: ReplicaRegistry
  readonly leases: LeaseStore
  /** This process: instance id (unique per start), host, pid, version. */
  readonly self: {
    readonly id: string
    readonly host: string
    readonly pid: number
    readonly version: string
  }
  /** `REPLICA_TIMEOUT_MS`: silent longer than this, a replica is dead and its leases are free. */
  readonly timeoutMs: number
  readonly onError: (err: unknown, what: string) => void
  readonly now?: () => number
}

type TickListener = () => Promise<void> | void
type LostListener = (name: string) => void

/**
 * This process as a replica: it heartbeats every third of `REPLICA_TIMEOUT_MS`, renews the
 * leases it holds on each beat and lets the parts that own work (the Telegram poller, Discord
 * shards, …) run their claiming logic on the same beat. A lease it cannot renew in time is
 * reported lost, so its owner stops that work before another replica can take it over.
 */
export class Membership {
  readonly id: string
  readonly timeoutMs: number
  readonly #options: MembershipOptions
  readonly #startedAt: number
  readonly #owned = new Map<string, { grant: LeaseGrant; renewedAt: number }>()
  readonly #tickListeners = new Set<TickListener>()
  readonly #lostListeners = new Set<LostListener>()
  #timer: NodeJS.Timeout | undefined
  #beating: Promise<void> | undefined
  #draining = false
  #stopped = false

  constructor(options: MembershipOptions) {
    this.#options = options
    this.id = options.self.id
    this.timeoutMs = options.timeoutMs
    this.#startedAt = this.#now()
  }

  /** Registers this replica, then beats until `stop()`. */
  async start(): Promise<void> {
    await this.#heartbeat()
    this.#timer = setInterval(() => void this.beat(), Math.max(50, Math.floor(this.timeoutMs / 3)))
    this.#timer.unref()
  }

  /** One heartbeat now: renew, then let owners claim. Concurrent calls share one beat. */
  beat(): Promise<void> {
    this.#beating ??= this.#beat().finally(() => {
      this.#beating = undefined
    })
    return this.#beating
  }

  /** Runs on every beat after the leases were renewed. */
  onTick(listener: TickListener): () => void {
    this.#tickListeners.add(listener)
    return () => this.#tickListeners.delete(listener)
  }

  /** Called with a lease's name when this replica lost it (taken over, or not renewed in time). */
  onLost(listener: LostListener): () => void {
    this.#lostListeners.add(listener)
    return () => this.#lostListeners.delete(listener)
  }

  /** Takes `name` for this replica (renewed on every beat) or undefined when another holds it. */
  async tryAcquire(name: string): Promise<LeaseGrant | undefined> {
    if (this.#stopped || this.#draining) return undefined
    const asked = this.#now()
    const grant = await this.#options.leases.acquire(name, this.id, this.timeoutMs)
    if (grant) this.#owned.set(name, { grant, renewedAt: asked })
    return grant
  }

  /** Gives `name` up so another replica can take it at once. */
  async release(name: string): Promise<void> {
    if (!this.#owned.delete(name)) return
    await this.#options.leases.release(name, this.id)
  }

  /** Leases this replica holds now. */
  owns(): string[] {
    return [...this.#owned.keys()].sort()
  }

  holds(name: string): boolean {
    return this.#owned.has(name)
  }

  /** Live replicas (this one included) and what each owns. */
  live(): Promise<ReplicaInfo[]> {
    return this.#options.registry.live(this.timeoutMs)
  }

  /** A draining replica takes no new leases and says so to the others. */
  async setDraining(): Promise<void> {
    this.#draining = true
    await this.#heartbeat().catch((err: unknown) => this.#options.onError(err, 'heartbeat'))
  }

  get draining(): boolean {
    return this.#draining
  }

  /** Stops beating, gives every lease up and removes this replica's row. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    if (this.#timer) clearInterval(this.#timer)
    await this.#beating?.catch(() => {})
    this.#owned.clear()
    try {
      await this.#options.leases.releaseAll(this.id)
      await this.#options.registry.remove(this.id)
    } catch (err) {
      this.#options.onError(err, 'leaving the replica set')
    }
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return
    try {
      await this.#heartbeat()
      await this.#renew()
    } catch (err) {
      this.#options.onError(err, 'heartbeat')
      this.#expireUnrenewed()
      return
    }
    for (const listener of this.#tickListeners) {
      if (this.#stopped) return
      try {
        await listener()
      } catch (err) {
        this.#options.onError(err, 'claiming work')
      }
    }
  }

  async #heartbeat(): Promise<void> {
    const { self } = this.#options
    await this.#options.registry.heartbeat({
      ...self,
      startedAt: this.#startedAt,
      draining: this.#draining,
    })
  }

  async #renew(): Promise<void> {
    for (const name of [...this.#owned.keys()]) {
      // Stamped before asking: the database's expiry is never earlier than ours.
      const asked = this.#now()
      const grant = await this.#options.leases.acquire(name, this.id, this.timeoutMs)
      if (grant) this.#owned.set(name, { grant, renewedAt: asked })
      else this.#lose(name)
    }
  }

  /** Without the database this replica cannot prove it still holds its leases: past the
   * timeout another replica may have them, so it stops that work itself. */
  #expireUnrenewed(): void {
    const now = this.#now()
    for (const [name, held] of this.#owned) {
      if (now - held.renewedAt >= this.timeoutMs) this.#lose(name)
    }
  }

  #lose(name: string): void {
    if (!this.#owned.delete(name)) return
    for (const listener of this.#lostListeners) listener(name)
  }

  #now(): number {
    return (this.#options.now ?? Date.now)()
  }
}
