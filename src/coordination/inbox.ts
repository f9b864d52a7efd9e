/**
 * The inbox: every message or update addressed to the bot is recorded before it is handled,
 * and handled from here. That is what makes "nothing lost, nothing twice" hold through a
 * restart, a drain or a dead replica:
 * - a Telegram update is acknowledged (its offset advanced, its webhook call answered 200)
 *   only once recorded; recording the same id twice is a no-op;
 * - a replica claims items for `REPLICA_TIMEOUT_MS` and renews the claim while it works; a
 *   dead replica's claims expire and another replica takes the items over;
 * - within one chat, items are claimed in `seq` order, one at a time: a later one waits until
 *   the earlier one is done, or `taken` by the same holder (in that replica's own queue, e.g.
 *   the core's per-person turn queue, which keeps the order from there);
 * - an item whose reply already began (`replyRef`) is continued there on takeover rather
 *   than answered a second time;
 * - a drained replica gives its unstarted items back (`release`), so they are answered after
 *   the restart or by another replica.
 * Handled items keep only their id (for deduplication), not their text.
 */
export interface InboxEntry {
  /** Unique per platform item, e.g. `telegram:<update_id>` or `discord:<message id>`. */
  readonly id: string
  readonly platform: string
  /** Items of one chat are handled in `seq` order. */
  readonly chatKey: string
  readonly seq: number
  /** What the handler needs to handle it again (the raw update, a message reference). */
  readonly payload: string
}

export interface ClaimedEntry extends InboxEntry {
  /** 1 on the first claim; more when an earlier holder died or gave it back. */
  readonly attempts: number
  readonly replyRef: string | null
}

export interface Inbox {
  /** Records new entries; returns the ids that were not recorded before. */
  record(entries: readonly InboxEntry[]): Promise<string[]>
  /**
   * Claims up to `limit` entries of `platform` for `holder` for `ttlMs`: for each chat only
   * its earliest entry not yet done, and only when nobody holds a live claim on it.
   */
  claim(platform: string, holder: string, ttlMs: number, limit: number): Promise<ClaimedEntry[]>
  /** Extends `holder`'s claims on `ids`; returns the ids it still holds. */
  renew(ids: readonly string[], holder: string, ttlMs: number): Promise<string[]>
  /**
   * The handler has taken the entry in (the core queued or started its reply): the chat's next
   * entry may now be claimed by the same `holder` (its own queue keeps them in order), which
   * keeps (and renews) its claim on this one until it finishes or releases it. Other holders
   * wait until it is done.
   */
  taken(id: string, holder: string): Promise<void>
  /** Notes that the reply to `id` began in `replyRef` (where a takeover continues it). */
  replyStarted(id: string, holder: string, replyRef: string): Promise<void>
  /** Handled: the entry keeps its id (duplicates stay no-ops) and drops its payload. */
  finish(id: string, holder: string): Promise<void>
  /** Gives an unfinished claim back (a draining replica), to be claimed again at once. */
  release(id: string, holder: string): Promise<void>
  /** Entries not yet done, per platform. */
  open(platform?: string): Promise<number>
  /** Deletes done entries finished longer than `olderThanMs` ago; returns how many. */
  purgeDone(olderThanMs: number): Promise<number>
}
