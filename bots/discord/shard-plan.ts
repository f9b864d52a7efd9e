/** The lease that says which replica runs Discord gateway shard `id`. */
export function shardLease(id: number): string {
  return `discord:shard:${id}`
}

/** The shard id in a lease name from {@link shardLease}; undefined for any other lease. */
export function shardOfLease(name: string): number | undefined {
  const match = /^discord:shard:(\d+)$/.exec(name)
  return match ? Number(match[1]) : undefined
}

/** Discord's routing: a guild's events go to shard `(guild_id >> 22) % shard_count`; DMs to 0. */
export function shardOfGuild(guildId: string | null | undefined, shardCount: number): number {
  if (!guildId) return 0
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount))
}

/** What one replica sees on a beat. */
export interface ShardView {
  readonly shardCount: number
  /** This replica's id. */
  readonly self: string
  /** Live replicas (this one included) and whether each is draining. */
  readonly replicas: readonly { readonly id: string; readonly draining: boolean }[]
  /** Shard id → the replica holding its lease now (absent: free). */
  readonly holders: ReadonlyMap<number, string>
}

export interface ShardPlan {
  /** Free shards to try to take now. */
  readonly acquire: readonly number[]
  /** Shards to give up (stop first, then release the lease). */
  readonly release: readonly number[]
}

/**
 * The balancing rule, the same on every replica: each live, non-draining replica aims at
 * `ceil(shards / replicas)`. Below it, a replica takes free shards; above it, it gives up one
 * extra shard per beat, and only while another such replica is below the target and can take
 * it. A lone replica's target is every shard; a draining replica takes nothing.
 */
export function planShards(view: ShardView): ShardPlan {
  const active = view.replicas.filter((r) => !r.draining)
  const me = active.find((r) => r.id === view.self)
  const mine = [...view.holders].filter(([, holder]) => holder === view.self).map(([id]) => id)
  if (!me) return { acquire: [], release: [] }
  const target = Math.ceil(view.shardCount / Math.max(1, active.length))
  if (mine.length < target) {
    const free: number[] = []
    for (let id = 0; id < view.shardCount; id += 1) {
      if (!view.holders.has(id)) free.push(id)
    }
    return { acquire: free.slice(0, target - mine.length), release: [] }
  }
  if (mine.length > target) {
    const counts = new Map<string, number>()
    for (const holder of view.holders.values()) counts.set(holder, (counts.get(holder) ?? 0) + 1)
    const someoneBelow = active.some((r) => r.id !== view.self && (counts.get(r.id) ?? 0) < target)
    // Shard 0 carries the DMs: keep it, give up the highest one.
    const extra = mine.sort((a, b) => b - a)[0]
    if (someoneBelow && extra !== undefined && extra !== 0) return { acquire: [], release: [extra] }
  }
  return { acquire: [], release: [] }
}
