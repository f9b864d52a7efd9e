import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import {
  applySubscription,
  emptyRecord,
  shouldApply,
} from '../../../src/billing/subscription-state.js'
import type { SubscriptionRecord } from '../../../src/core/ports/subscriptions.js'

const NOW = Date.parse('2026-11-26T08:00:00Z')
const T = Math.floor(NOW / 1000)

function sub(id: string, status: Stripe.Subscription.Status, periodEnd = T + 1000) {
  return {
    id,
    object: 'subscription',
    status,
    customer: 'cus_1',
    metadata: { account_id: 'acc' },
    cancel_at_period_end: false,
    items: { data: [{ current_period_end: periodEnd, price: { id: 'price_1' } }] },
  } as unknown as Stripe.Subscription
}

function stored(patch: Partial<SubscriptionRecord>): SubscriptionRecord {
  return { ...emptyRecord('acc', NOW), stripeSubscriptionId: 'sub_1', ...patch }
}

describe('shouldApply', () => {
  it('applies the first event for an account', () => {
    expect(shouldApply(emptyRecord('acc', NOW), sub('sub_1', 'active'), T)).toBe(true)
  })

  it('applies newer events and ignores older ones', () => {
    const current = stored({ status: 'active', lastEventCreated: T })
    expect(shouldApply(current, sub('sub_1', 'past_due'), T + 1)).toBe(true)
    expect(shouldApply(current, sub('sub_1', 'incomplete'), T - 1)).toBe(false)
  })

  it('breaks same-second ties by how far along the subscription is', () => {
    const current = stored({ status: 'active', lastEventCreated: T })
    expect(shouldApply(current, sub('sub_1', 'incomplete'), T)).toBe(false)
    expect(shouldApply(current, sub('sub_1', 'canceled'), T)).toBe(true)
  })

  it('never moves a canceled subscription back, even with a newer timestamp', () => {
    const current = stored({ status: 'canceled', lastEventCreated: T })
    expect(shouldApply(current, sub('sub_1', 'active'), T + 10)).toBe(false)
  })

  it('lets the end of an old subscription leave a newer one alone', () => {
    const current = stored({ stripeSubscriptionId: 'sub_2', status: 'active', lastEventCreated: T })
    expect(shouldApply(current, sub('sub_1', 'canceled'), T + 10)).toBe(false)
  })

  it('takes over a new subscription after the old one ended', () => {
    const current = stored({ status: 'canceled', lastEventCreated: T })
    expect(shouldApply(current, sub('sub_2', 'active'), T + 10)).toBe(true)
  })
})

describe('applySubscription', () => {
  it('copies status, price and the period end from the items', () => {
    const next = applySubscription(emptyRecord('acc', NOW), sub('sub_1', 'active'), T, NOW)
    expect(next).toMatchObject({
      stripeSubscriptionId: 'sub_1',
      stripeCustomerId: 'cus_1',
      status: 'active',
      priceId: 'price_1',
      currentPeriodEnd: (T + 1000) * 1000,
      lastEventCreated: T,
      pastDueSince: null,
    })
  })

  it('remembers when past_due began and keeps it across later past_due events', () => {
    const first = applySubscription(stored({ status: 'active' }), sub('sub_1', 'past_due'), T, NOW)
    expect(first.pastDueSince).toBe(T * 1000)
    const again = applySubscription(first, sub('sub_1', 'past_due'), T + 500, NOW)
    expect(again.pastDueSince).toBe(T * 1000)
    const paid = applySubscription(again, sub('sub_1', 'active'), T + 900, NOW)
    expect(paid.pastDueSince).toBeNull()
  })

  it('keeps an admin grant', () => {
    const next = applySubscription(stored({ compUntil: NOW + 5 }), sub('sub_1', 'canceled'), T, NOW)
    expect(next.compUntil).toBe(NOW + 5)
  })
})
