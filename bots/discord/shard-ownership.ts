import type { LeaseStore } from '../../src/coordination/ports.js'
import type { Logger } from '../../src/core/ports/logger.js'
import { planShards, shardLease, shardOfLease } from './shard-plan.js'

/** The part of `Membership` shard ownership uses. */
export interface ShardMembership {
  readonly id: string
  tryAcquire(name: string): Promise<unknown>
  release(name: string): Promise<void>
  holds(name: string): boolean
  live(): Promise<readonly { readonly id: string; readonly draining: boolean }[]>
  onTick(listener: () => Promise<void> | void): () => void
  onLost(listener: (name: string) => void): () => void
}

/** Runs one gateway shard: `start` resolves once it is connected; `stop` disconnects it. */
export interface ShardRunner {
  start(shardId: number): Promise<void>
  /** `lost`: the lease is gone already, so disconnect at once rather than finish replies. */
  stop(shardId: number, lost: boolean): Promise<void>
}

export interface ShardOwnershipDeps {
  readonly membership: ShardMembership
  readonly leases: Pick<LeaseStore, 'held'>
  readonly runner: ShardRunner
  readonly log: Logger
}

/**
 * Which Discord gateway shards this replica runs. On every heartbeat it looks at the shard
 * leases and the live replicas, takes free shards up to its share and gives extras back
 * (see `planShards`); a shard whose lease is lost is disconnected at once, so no two replicas
 * ever run one shard. A shard that fails to start is given back for another replica to try.
 */
export class ShardOwnership {
  readonly #deps: ShardOwnershipDeps
  readonly #shardCount: number
  /** Shards started or starting here, with the promise of their start. */
  readonly #running = new Map<number, Promise<void>>()
  readonly #unsubscribe: (() => void)[] = []
  #ticking: Promise<void> | undefined
  #stopped = false

  constructor(deps: ShardOwnershipDeps, shardCount: number) {
    this.#deps = deps
    this.#shardCount = shardCount
  }

  /** Shards running here now, ascending. */
  running(): number[] {
    return [...this.#running.keys()].sort((a, b) => a - b)
  }

  /**
   * Takes this replica's share now and waits until those shards are connected (rejects with
   * the first shard's start failure), then follows the heartbeat.
   */
  async start(): Promise<void> {
    const { membership } = this.#deps
    this.#unsubscribe.push(
      membership.onTick(() => this.tick()),
      membership.onLost((name) => {
        const id = shardOfLease(name)
        if (id !== undefined) this.#stopShard(id, true)
      }),
    )
    await this.tick()
    await Promise.all(this.#running.values())
  }

  /** One round of claiming and balancing; concurrent calls share one round. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined
    })
    return this.#ticking
  }

  /** Stops following the heartbeat, disconnects every shard and gives their leases back. */
  async stop(): Promise<void> {
    this.#stopped = true
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
    await this.#ticking?.catch(() => {})
    await Promise.all(this.running().map((id) => this.#giveBack(id)))
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return
    const { membership, leases } = this.#deps
    // A lease that went away without onLost (e.g. released elsewhere): stop that shard too.
    for (const id of this.running()) {
      if (!membership.holds(shardLease(id))) this.#stopShard(id, true)
    }
    const holders = new Map<number, string>()
    for (const grant of await leases.held('discord:shard:')) {
      const id = shardOfLease(grant.name)
      if (id !== undefined && id < this.#shardCount) holders.set(id, grant.holder)
    }
    const plan = planShards({
      shardCount: this.#shardCount,
      self: membership.id,
      replicas: await membership.live(),
      holders,
    })
    for (const id of plan.release) {
      this.#deps.log.info({ shardId: id }, 'giving a discord shard to another replica')
      await this.#giveBack(id)
    }
    for (const id of plan.acquire) {
      if (this.#stopped || this.#running.has(id)) continue
      if (!(await membership.tryAcquire(shardLease(id)))) continue
      this.#deps.log.info({ shardId: id, shardCount: this.#shardCount }, 'took a discord shard')
      // Not awaited: a slow gateway must not delay the heartbeat that renews our leases.
      const started: Promise<void> = this.#deps.runner.start(id).catch(async (err: unknown) => {
        if (this.#running.get(id) !== started) throw err
        this.#deps.log.warn({ err, shardId: id }, 'discord shard did not start; giving it back')
        this.#running.delete(id)
        await this.#deps.runner.stop(id, true).catch(() => {})
        await membership.release(shardLease(id)).catch(() => {})
        throw err
      })
      started.catch(() => {})
      this.#running.set(id, started)
    }
  }

  /** Disconnects a shard, then releases its lease: never two replicas on one shard. */
  async #giveBack(id: number): Promise<void> {
    const started = this.#running.get(id)
    this.#running.delete(id)
    await started?.catch(() => {})
    await this.#deps.runner
      .stop(id, false)
      .catch((err: unknown) => this.#deps.log.warn({ err, shardId: id }, 'stopping a shard failed'))
    await this.#deps.membership.release(shardLease(id))
  }

  #stopShard(id: number, lost: boolean): void {
    if (!this.#running.delete(id)) return
    this.#deps.log.warn({ shardId: id }, 'lost the lease of a discord shard; disconnecting it')
    void this.#deps.runner
      .stop(id, lost)
      .catch((err: unknown) => this.#deps.log.warn({ err, shardId: id }, 'stopping a shard failed'))
  }
}
