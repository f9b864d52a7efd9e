/** Stripe subscription statuses, as Stripe spells them. */
export type SubscriptionStatus =
  | 'active'
  | 'trialing'
  | 'past_due'
  | 'canceled'
  | 'incomplete'
  | 'incomplete_expired'
  | 'unpaid'
  | 'paused'

export interface SubscriptionRecord {
  readonly accountId: string
  readonly stripeCustomerId: string | null
  readonly stripeSubscriptionId: string | null
  readonly status: SubscriptionStatus | null
  readonly priceId: string | null
  /** Epoch ms. */
  readonly currentPeriodEnd: number | null
  readonly cancelAtPeriodEnd: boolean
  /** Epoch ms of the past_due transition, for the grace period. */
  readonly pastDueSince: number | null
  /** `event.created` (epoch s) of the newest event applied: state only moves forward. */
  readonly lastEventCreated: number | null
  /** Complimentary premium (admin grant) until this epoch ms. */
  readonly compUntil: number | null
  readonly updatedAt: number
}

/** What the core reads about subscriptions (data export, `/admin stats`); billing owns the rest. */
export interface SubscriptionReader {
  get(accountId: string): Promise<SubscriptionRecord | undefined>
  /** Accounts counted as subscribers now (for `/admin stats`). */
  countActive(now: number): Promise<number>
}
