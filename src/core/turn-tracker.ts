/**
 * The turns in flight, overall (for shutdown and `/health`) and per account (so `/forget` can
 * wait for a person's turns to end before it deletes what they would still write).
 */
export class TurnTracker {
  readonly #all = new Set<Promise<void>>()
  readonly #byAccount = new Map<string, Set<Promise<void>>>()

  /** Starts tracking a turn of `accountId`; call the returned function when it ended. */
  start(accountId: string): () => void {
    let untrack: (() => void) | undefined
    const tracked = new Promise<void>((resolve) => {
      untrack = resolve
    })
    this.#all.add(tracked)
    const mine = this.#byAccount.get(accountId) ?? new Set<Promise<void>>()
    this.#byAccount.set(accountId, mine)
    mine.add(tracked)
    return () => {
      this.#all.delete(tracked)
      mine.delete(tracked)
      if (mine.size === 0) this.#byAccount.delete(accountId)
      untrack?.()
    }
  }

  get size(): number {
    return this.#all.size
  }

  /** Resolves when every turn tracked now has ended. */
  all(): Promise<void> {
    return Promise.all([...this.#all]).then(() => undefined)
  }

  /** Waits up to `maxWaitMs` for the account's turns to end; true when all ended in time. */
  async settle(accountId: string, maxWaitMs: number): Promise<boolean> {
    const turns = [...(this.#byAccount.get(accountId) ?? [])]
    if (turns.length === 0) return true
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), maxWaitMs)
    })
    const settled = await Promise.race([Promise.all(turns).then(() => true as const), late])
    clearTimeout(timer)
    return settled
  }
}
