import type Stripe from 'stripe'
import type { SubscriptionRecord, SubscriptionStatus } from '../core/ports/subscriptions.js'

/** Stripe ids arrive either as a string or as an expanded object. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null
  return typeof value === 'string' ? value : value.id
}

const TERMINAL: ReadonlySet<string> = new Set(['canceled', 'incomplete_expired'])

export function isTerminal(status: string | null): boolean {
  return status !== null && TERMINAL.has(status)
}

export function isLive(status: string | null): boolean {
  return status === 'active' || status === 'trialing' || status === 'past_due'
}

/** How far along its life a status is; breaks ties between events of the same second. */
function stage(status: string | null): number {
  if (status === null) return -1
  if (status === 'incomplete') return 0
  if (status === 'trialing') return 1
  if (TERMINAL.has(status)) return 3
  return 2
}

/** A row for an account with nothing yet. */
export function emptyRecord(accountId: string, now: number): SubscriptionRecord {
  return {
    accountId,
    stripeCustomerId: null,
    stripeSubscriptionId: null,
    status: null,
    priceId: null,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    pastDueSince: null,
    lastEventCreated: null,
    compUntil: null,
    updatedAt: now,
  }
}

/**
 * Whether a subscription object carried by an event created at `created` (epoch s) may replace
 * what is stored. State only moves forward: older events lose; a canceled subscription stays
 * canceled; the end of an old subscription never touches a newer one.
 */
export function shouldApply(
  current: SubscriptionRecord,
  subscription: Pick<Stripe.Subscription, 'id' | 'status'>,
  created: number,
): boolean {
  const last = current.lastEventCreated
  if (current.stripeSubscriptionId && current.stripeSubscriptionId !== subscription.id) {
    if (isTerminal(subscription.status)) return false
    return !isLive(current.status) || last === null || created >= last
  }
  if (isTerminal(current.status) && !isTerminal(subscription.status)) return false
  if (last === null || created > last) return true
  if (created < last) return false
  return stage(subscription.status) >= stage(current.status)
}

/** The stored row after applying a subscription object from an event created at `created`. */
export function applySubscription(
  current: SubscriptionRecord,
  subscription: Stripe.Subscription,
  created: number,
  now: number,
): SubscriptionRecord {
  const status = subscription.status as SubscriptionStatus
  const sameSubscription = current.stripeSubscriptionId === subscription.id
  const items = subscription.items?.data ?? []
  const periodEnds = items.map((item) => item.current_period_end).filter(Number.isFinite)
  const pastDueSince =
    status !== 'past_due'
      ? null
      : sameSubscription && current.status === 'past_due' && current.pastDueSince !== null
        ? current.pastDueSince
        : created * 1000
  return {
    ...current,
    stripeCustomerId: idOf(subscription.customer) ?? current.stripeCustomerId,
    stripeSubscriptionId: subscription.id,
    status,
    priceId: items[0]?.price?.id ?? current.priceId,
    currentPeriodEnd: periodEnds.length > 0 ? Math.max(...periodEnds) * 1000 : null,
    cancelAtPeriodEnd: subscription.cancel_at_period_end === true,
    pastDueSince,
    lastEventCreated: created,
    updatedAt: now,
  }
}

/** Price facts for the "premium started" email. */
export function priceInfo(subscription: Stripe.Subscription): {
  amount: number | null
  currency: string | null
  interval: string | null
} {
  const price = subscription.items?.data?.[0]?.price
  return {
    amount: price?.unit_amount ?? null,
    currency: price?.currency ?? null,
    interval: price?.recurring?.interval ?? null,
  }
}
