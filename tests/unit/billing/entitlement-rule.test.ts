import { describe, expect, it } from 'vitest'
import { DAY_MS, entitlementOf } from '../../../src/billing/entitlement-rule.js'
import { emptyRecord } from '../../../src/billing/subscription-state.js'
import type { SubscriptionRecord } from '../../../src/core/ports/subscriptions.js'

const NOW = Date.parse('2026-11-26T08:00:00Z')
const row = (patch: Partial<SubscriptionRecord>): SubscriptionRecord => ({
  ...emptyRecord('acc', NOW),
  ...patch,
})

describe('entitlementOf', () => {
  it('is free for an account without a row', () => {
    expect(entitlementOf(undefined, NOW, 3)).toEqual({
      tier: 'free',
      source: 'none',
      until: null,
      status: null,
    })
  })

  it.each(['active', 'trialing'] as const)(
    'is premium while %s, until the period end',
    (status) => {
      const e = entitlementOf(row({ status, currentPeriodEnd: NOW + DAY_MS }), NOW, 3)
      expect(e).toEqual({ tier: 'premium', source: 'subscription', until: NOW + DAY_MS, status })
    },
  )

  it('is premium while past_due inside the grace period', () => {
    const e = entitlementOf(row({ status: 'past_due', pastDueSince: NOW - 2 * DAY_MS }), NOW, 3)
    expect(e).toMatchObject({ tier: 'premium', until: NOW + DAY_MS })
  })

  it('is free once the grace period is over', () => {
    const e = entitlementOf(row({ status: 'past_due', pastDueSince: NOW - 3 * DAY_MS }), NOW, 3)
    expect(e).toMatchObject({ tier: 'free', status: 'past_due' })
  })

  it.each(['canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused'] as const)(
    'is free while %s',
    (status) => {
      expect(entitlementOf(row({ status }), NOW, 3).tier).toBe('free')
    },
  )

  it('is premium during an admin grant and free after it', () => {
    const grant = row({ status: 'canceled', compUntil: NOW + 1 })
    expect(entitlementOf(grant, NOW, 3)).toMatchObject({ tier: 'premium', source: 'grant' })
    expect(entitlementOf(grant, NOW + 1, 3).tier).toBe('free')
  })

  it('prefers the subscription when both a subscription and a grant apply', () => {
    const both = row({ status: 'active', compUntil: NOW + DAY_MS })
    expect(entitlementOf(both, NOW, 3).source).toBe('subscription')
  })
})
