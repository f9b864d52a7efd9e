/**
 * How several processes on one database act as one bot. Each process is a replica: it
 * registers, heartbeats, and holds leases on the work it owns (the Telegram poller, Discord
 * shards, …). A lease not renewed within its time-to-live is free for another replica: that is
 * how a dead replica's work is taken over. On SQLite there is one process, and it holds every
 * lease it asks for.
 */

/** One running process as the others see it. */
export interface ReplicaInfo {
  readonly id: string
  readonly host: string
  readonly pid: number
  readonly version: string
  readonly startedAt: number
  readonly heartbeatAt: number
  readonly draining: boolean
  /** Names of the leases it holds now. */
  readonly owns: readonly string[]
}

export interface LeaseGrant {
  readonly name: string
  readonly holder: string
  readonly expiresAt: number
  /** When the current holder took it (not renewed). */
  readonly acquiredAt: number
  /** Grows by one each time the lease changes hands: a fencing token for writes. */
  readonly generation: number
}

export interface LeaseStore {
  /**
   * Takes the lease for `holder` for `ttlMs`, or renews it when `holder` has it already.
   * Undefined when another holder has it and it has not expired.
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | undefined>
  /** Gives the lease up at once, when `holder` has it. */
  release(name: string, holder: string): Promise<void>
  /** Gives up every lease of `holder` (a replica that stops). */
  releaseAll(holder: string): Promise<void>
  /** Leases not expired now, optionally those whose name starts with `prefix`. */
  held(prefix?: string): Promise<LeaseGrant[]>
  /** The database's clock, epoch ms: leases and heartbeats are measured by it. */
  now(): Promise<number>
}

export interface ReplicaRegistry {
  /** Adds or refreshes this replica's row and stamps its heartbeat with the database's clock. */
  heartbeat(replica: Omit<ReplicaInfo, 'heartbeatAt' | 'owns'>): Promise<void>
  /** Replicas whose heartbeat is newer than `timeoutMs`, with the leases each holds. */
  live(timeoutMs: number): Promise<ReplicaInfo[]>
  /** Removes this replica's row (a clean stop). */
  remove(id: string): Promise<void>
  /** Removes rows silent for longer than `olderThanMs` (dead replicas). */
  forgetDead(olderThanMs: number): Promise<number>
}

/**
 * A message to every replica (including the sender), at most once each and without ordering
 * guarantees: PostgreSQL `LISTEN/NOTIFY` across processes, an in-process emitter on SQLite.
 * Used to wake waiters early (a freed GPU slot, a `/stop`, changed settings); everything that
 * must not be lost is also in a table.
 */
export interface SignalBus {
  publish(channel: string, payload: string): Promise<void>
  /** Calls `onSignal` for each message on `channel`; the returned function unsubscribes. */
  subscribe(channel: string, onSignal: (payload: string) => void): () => void
  close(): Promise<void>
}

/**
 * Named positions that only move forward, such as the Telegram polling offset: whoever polls
 * next continues from the stored one. A late write from a replica that lost its lease can
 * never move a cursor back.
 */
export interface CursorStore {
  get(name: string): Promise<number | undefined>
  /** Sets the cursor to `value` when that is further than the stored one. */
  advance(name: string, value: number): Promise<void>
}
