/** One running process of the platform as `/admin stats` shows it. */
export interface ReplicaSummary {
  readonly id: string
  readonly host: string
  readonly pid: number
  readonly version: string
  readonly startedAt: number
  readonly draining: boolean
  /** The work it holds (leases such as `telegram:poller`). */
  readonly owns: readonly string[]
}

/** The live processes sharing this database (one on SQLite). */
export interface ReplicaDirectory {
  live(): Promise<readonly ReplicaSummary[]>
}
