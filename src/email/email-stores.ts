import type { Stores } from '../core/ports/stores.js'

export interface EmailTokenRecord {
  readonly tokenHash: string
  readonly accountId: string
  readonly email: string
  readonly expiresAt: number
  readonly usedAt: number | null
  readonly createdAt: number
}

export interface EmailTokenStore {
  insert(token: EmailTokenRecord): Promise<void>
  find(tokenHash: string): Promise<EmailTokenRecord | undefined>
  /**
   * Marks the token used in one atomic update that succeeds only while it is unused and
   * unexpired; returns the token when this call consumed it.
   */
  consume(tokenHash: string, now: number): Promise<EmailTokenRecord | undefined>
  /** Tokens created since `sinceMs` for an account or for an address (rate limits). */
  countSince(filter: { accountId?: string; email?: string }, sinceMs: number): Promise<number>
}

/** A merge that waits for the account already holding the address to approve it. */
export interface MergeRequestRecord {
  readonly tokenHash: string
  /** The account that asked (it joins `intoAccountId` when approved). */
  readonly fromAccountId: string
  /** The account that verified the address first; it decides. */
  readonly intoAccountId: string
  readonly email: string
  readonly createdAt: number
  readonly expiresAt: number
  readonly decidedAt: number | null
  readonly decision: 'approved' | 'refused' | null
}

export interface MergeRequestStore {
  insert(request: MergeRequestRecord): Promise<void>
  find(tokenHash: string): Promise<MergeRequestRecord | undefined>
  /**
   * Records the decision in one atomic update that succeeds only while the request is
   * undecided and unexpired; returns the request when this call decided it.
   */
  decide(
    tokenHash: string,
    decision: 'approved' | 'refused',
    now: number,
  ): Promise<MergeRequestRecord | undefined>
}

export type OutboxStatus = 'pending' | 'sent' | 'failed'

export interface OutboxMessage {
  readonly id: number
  readonly kind: string
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html: string
  readonly status: OutboxStatus
  readonly attempts: number
  readonly nextAttemptAt: number
  readonly lastError: string | null
  readonly createdAt: number
  readonly sentAt: number | null
}

export interface NewOutboxMessage {
  readonly kind: string
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html: string
  /** Optional key that makes enqueueing idempotent (e.g. `premium-started:<event id>`). */
  readonly dedupeKey?: string | undefined
  readonly createdAt: number
}

export interface EmailOutboxStore {
  /** Adds a message; returns false when `dedupeKey` was already used. */
  enqueue(message: NewOutboxMessage): Promise<boolean>
  /** Pending messages due at `now`, oldest first. */
  due(now: number, limit: number): Promise<OutboxMessage[]>
  /**
   * Leases up to `limit` messages due at `now` to `claimer` for `leaseMs`: no other claimer
   * gets them until they are marked or the lease expires (a replica that died mid-send).
   */
  claim(now: number, limit: number, claimer: string, leaseMs: number): Promise<OutboxMessage[]>
  /**
   * Renews the claim right before sending; false when `claimer` lost it (it expired and another
   * replica claimed the message, or it was sent): then the message must not be sent.
   */
  extendClaim(id: number, claimer: string, leaseMs: number): Promise<boolean>
  markSent(id: number, now: number): Promise<void>
  markRetry(id: number, error: string, nextAttemptAt: number): Promise<void>
  markFailed(id: number, error: string): Promise<void>
  counts(): Promise<Record<OutboxStatus, number>>
}

/** The stores email works with: the core's, plus verification tokens and the outbox. */
export interface EmailStores extends Stores {
  readonly emailTokens: EmailTokenStore
  readonly outbox: EmailOutboxStore
  readonly mergeRequests: MergeRequestStore
  transaction<T>(fn: (stores: EmailStores) => Promise<T>): Promise<T>
}
