import type Stripe from 'stripe'
import type { SubscriptionRecord } from '../core/ports/subscriptions.js'
import { entitlementOf } from './entitlement-rule.js'
import {
  ACCOUNT_KEY,
  byAccountId,
  findAccount,
  formatDate,
  type PendingNotice,
  type ProcessResult,
  type StripeEventContext,
  unmatched,
} from './stripe-event-context.js'
import {
  applySubscription,
  emptyRecord,
  idOf,
  isLive,
  priceInfo,
  shouldApply,
} from './subscription-state.js'

export async function checkoutCompleted(
  ctx: StripeEventContext,
  session: Stripe.Checkout.Session,
  now: number,
): Promise<ProcessResult> {
  if (session.mode !== 'subscription') return { outcome: 'ignored', notices: [] }
  const customerId = idOf(session.customer)
  const subscriptionId = idOf(session.subscription)
  const found = session.client_reference_id
    ? await byAccountId(ctx, session.client_reference_id)
    : await findAccount(ctx, { accountId: session.metadata?.[ACCOUNT_KEY], customerId })
  if (!found) return unmatched(ctx, 'checkout.session.completed', session.id)
  const current = found.row ?? emptyRecord(found.accountId, now)
  // Only links ids: the subscription's own events carry its status.
  const replaceSubscription = !current.stripeSubscriptionId || !isLive(current.status)
  await ctx.tx.subscriptions.upsert({
    ...current,
    stripeCustomerId: customerId ?? current.stripeCustomerId,
    stripeSubscriptionId: replaceSubscription
      ? (subscriptionId ?? current.stripeSubscriptionId)
      : current.stripeSubscriptionId,
    ...(replaceSubscription && subscriptionId && subscriptionId !== current.stripeSubscriptionId
      ? { status: null, lastEventCreated: null, pastDueSince: null }
      : {}),
    updatedAt: now,
  })
  return { outcome: 'applied', notices: [] }
}

export async function subscriptionChanged(
  ctx: StripeEventContext,
  eventId: string,
  subscription: Stripe.Subscription,
  created: number,
  now: number,
): Promise<ProcessResult> {
  const { tx, graceDays } = ctx
  const found = await findAccount(ctx, {
    accountId: subscription.metadata?.[ACCOUNT_KEY],
    subscriptionId: subscription.id,
    customerId: idOf(subscription.customer),
  })
  if (!found) return unmatched(ctx, 'subscription', subscription.id)
  const accountId = found.accountId
  const current = found.row ?? emptyRecord(accountId, now)
  if (
    current.stripeSubscriptionId &&
    current.stripeSubscriptionId !== subscription.id &&
    isLive(current.status)
  ) {
    return secondSubscription(ctx, current, subscription)
  }
  if (!shouldApply(current, subscription, created)) return { outcome: 'stale', notices: [] }
  const next = applySubscription(current, subscription, created, now)
  await tx.subscriptions.upsert(next)

  const before = entitlementOf(current, now, graceDays)
  const after = entitlementOf(next, now, graceDays)
  const notices: PendingNotice[] = []
  if (after.source === 'subscription' && before.source !== 'subscription') {
    const until = after.until
    notices.push({
      accountId,
      kind: 'premium_started',
      notice: {
        text:
          until !== null
            ? `Premium is active until ${formatDate(until)}. Thank you for subscribing!`
            : 'Premium is active. Thank you for subscribing!',
      },
    })
    await ctx.emails?.premiumStarted(
      tx,
      accountId,
      { ...priceInfo(subscription), until },
      `premium-started:${eventId}`,
    )
  } else if (
    after.tier === 'free' &&
    // A grace period that ran out without an event still counts as ending here.
    (before.tier === 'premium' || (current.status === 'past_due' && next.status !== 'past_due'))
  ) {
    notices.push({
      accountId,
      kind: 'premium_ended',
      notice: { text: 'Your premium has ended. Use /subscribe any time to start it again.' },
    })
    await ctx.emails?.premiumEnded(tx, accountId, `premium-ended:${eventId}`)
  }
  return { outcome: 'applied', notices }
}

/**
 * Another subscription of an account whose first one is live (two checkout links paid):
 * premium keeps following the first, the second stays reachable in the customer's portal
 * (one customer per account), and the operator is told once per pair.
 */
async function secondSubscription(
  ctx: StripeEventContext,
  current: SubscriptionRecord,
  subscription: Stripe.Subscription,
): Promise<ProcessResult> {
  if (!isLive(subscription.status)) return { outcome: 'ignored', notices: [] }
  const subscriptionIds = [current.stripeSubscriptionId ?? '', subscription.id]
  ctx.log.warn(
    { accountId: current.accountId, subscriptionIds },
    'account pays for a second live subscription; premium follows the first, admin told',
  )
  await ctx.emails?.adminDuplicateSubscription(
    ctx.tx,
    {
      accountId: current.accountId,
      customerId: idOf(subscription.customer) ?? current.stripeCustomerId,
      subscriptionIds,
    },
    `duplicate-subscription:${[...subscriptionIds].sort().join(':')}`,
  )
  return { outcome: 'applied', notices: [] }
}
