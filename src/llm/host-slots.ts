/** A generation asking for a slot on a host. */
export interface SlotTicket {
  /** Higher runs first (premium, then retries); equal priorities by the person's round. */
  readonly priority: number
  /** Fairness key: one person's burst waits behind everyone's first request. */
  readonly person?: string | undefined
  /** The person's requests already outstanding in this process (0 for their first). */
  readonly round?: number | undefined
  /** Removes the ticket from the queue when aborted while waiting. */
  readonly signal?: AbortSignal | undefined
  /** Called with the 1-based place in line whenever it changes while waiting. */
  readonly onPosition: (position: number) => void
}

/**
 * The slots of one Ollama host: at most `concurrency` generations run at once, the others
 * wait in order. `HostQueue` keeps them in this process (SQLite, one process);
 * `SharedHostQueue` keeps them in PostgreSQL so the cap holds summed over all replicas.
 */
export interface HostSlots {
  /** Generations allowed to run at once on the host. */
  readonly concurrency: number
  /** Changes the slot count; a higher one starts waiting requests at once. */
  setConcurrency(concurrency: number): void
  /** Requests waiting for a slot (the shared queue: as of its last look at the table). */
  readonly waiting: number
  /** Requests holding a slot. */
  readonly running: number
  /** Occupancy relative to capacity, for least-loaded routing. */
  readonly load: number
  /** True when a new request would have to wait. */
  readonly full: boolean
  /** Runs `fn` when a slot is free; rejects with the signal's reason if aborted while waiting. */
  run<T>(fn: () => Promise<T>, ticket: SlotTicket): Promise<T>
}

const MAX_ROUND = 999_999

/** The ticket's place in the order: its priority lowered by the person's round. */
export function effectivePriority(priority: number, round: number): number {
  return priority - Math.min(round, MAX_ROUND)
}
