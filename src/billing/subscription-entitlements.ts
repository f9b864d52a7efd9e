import type {
  Entitlement,
  EntitlementReader,
  GrantService,
  PremiumSource,
} from '../core/ports/services.js'
import type { StarsSubscriptionRecord } from '../core/ports/stars.js'
import type { BillingStores } from './billing-stores.js'
import { DAY_MS, entitlementOf } from './entitlement-rule.js'

export interface SubscriptionEntitlementsDeps {
  /** Reads `subscriptions`; grants run in `transaction` so they never race a webhook. */
  readonly stores: Pick<BillingStores, 'subscriptions' | 'stars' | 'transaction'>
}

export interface SubscriptionEntitlementsOptions {
  /** Days a `past_due` subscription stays premium (BILLING_GRACE_DAYS). */
  readonly graceDays: number
}

/**
 * Tier and admin grants over the subscription store; works with or without Stripe.
 * `entitlement` never throws for unknown accounts (they are free).
 */
export class SubscriptionEntitlements implements EntitlementReader, GrantService {
  readonly #stores: Pick<BillingStores, 'subscriptions' | 'stars' | 'transaction'>
  readonly #graceDays: number

  constructor(deps: SubscriptionEntitlementsDeps, options: SubscriptionEntitlementsOptions) {
    this.#stores = deps.stores
    this.#graceDays = options.graceDays
  }

  async entitlement(accountId: string, now: number): Promise<Entitlement> {
    const [record, stars] = await Promise.all([
      this.#stores.subscriptions.get(accountId),
      this.#stores.stars.getSubscription(accountId),
    ])
    return withStars(entitlementOf(record, now, this.#graceDays), stars, now)
  }

  /**
   * Extends complimentary premium by `days` from the later of now and the current grant's end.
   * `days` must be a positive integer; negative or zero is refused with a RangeError.
   */
  async grant(accountId: string, days: number, now: number): Promise<{ until: number }> {
    if (!Number.isInteger(days) || days <= 0) {
      throw new RangeError(`grant days must be a positive integer, got ${days}`)
    }
    return this.#setGrant(accountId, now, (compUntil) => Math.max(now, compUntil) + days * DAY_MS)
  }

  /**
   * Takes `days` of complimentary premium back (the operator console); the grant never ends
   * before now. Stripe and Stars premium are untouched.
   */
  async revoke(accountId: string, days: number, now: number): Promise<{ until: number }> {
    if (!Number.isInteger(days) || days <= 0) {
      throw new RangeError(`revoke days must be a positive integer, got ${days}`)
    }
    return this.#setGrant(accountId, now, (compUntil) => Math.max(now, compUntil - days * DAY_MS))
  }

  #setGrant(
    accountId: string,
    now: number,
    next: (compUntil: number) => number,
  ): Promise<{ until: number }> {
    return this.#stores.transaction(async (tx) => {
      const current = await tx.subscriptions.get(accountId)
      const until = next(current?.compUntil ?? 0)
      await tx.subscriptions.upsert({
        accountId,
        stripeCustomerId: current?.stripeCustomerId ?? null,
        stripeSubscriptionId: current?.stripeSubscriptionId ?? null,
        status: current?.status ?? null,
        priceId: current?.priceId ?? null,
        currentPeriodEnd: current?.currentPeriodEnd ?? null,
        cancelAtPeriodEnd: current?.cancelAtPeriodEnd ?? false,
        pastDueSince: current?.pastDueSince ?? null,
        lastEventCreated: current?.lastEventCreated ?? null,
        compUntil: until,
        updatedAt: now,
      })
      return { until }
    })
  }
}

/**
 * Combines Stripe (and grants) with Telegram Stars: premium while any is active, until the
 * latest end; `sources` lists every active one.
 */
export function withStars(
  stripe: Entitlement,
  stars: StarsSubscriptionRecord | undefined,
  now: number,
): Entitlement {
  const starsActive = stars !== undefined && stars.expiresAt > now
  const sources: PremiumSource[] = []
  if (stripe.source === 'subscription') sources.push('stripe')
  if (starsActive) sources.push('stars')
  if (stripe.source === 'grant') sources.push('grant')
  if (!starsActive) return { ...stripe, sources }
  if (stripe.tier !== 'premium') {
    return {
      tier: 'premium',
      source: 'stars',
      until: stars.expiresAt,
      status: stripe.status,
      sources,
    }
  }
  const until = stripe.until === null ? stripe.until : Math.max(stripe.until, stars.expiresAt)
  return { ...stripe, until, sources }
}
