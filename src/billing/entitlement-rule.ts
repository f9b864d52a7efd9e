import type { Entitlement } from '../core/ports/services.js'
import type { SubscriptionRecord } from '../core/ports/subscriptions.js'

export const DAY_MS = 86_400_000

const FREE: Entitlement = { tier: 'free', source: 'none', until: null, status: null }

/**
 * What a subscription row entitles its account to at `now`: premium while the Stripe status is
 * `active` or `trialing`, while `past_due` for `graceDays` after it began, or while an admin
 * grant (`compUntil`) lasts. A paying subscription wins over a grant when both apply.
 */
export function entitlementOf(
  record: SubscriptionRecord | undefined,
  now: number,
  graceDays: number,
): Entitlement {
  if (!record) return FREE
  const status = record.status
  if (status === 'active' || status === 'trialing') {
    return { tier: 'premium', source: 'subscription', until: record.currentPeriodEnd, status }
  }
  if (status === 'past_due') {
    const since = record.pastDueSince ?? now
    const graceEnd = since + graceDays * DAY_MS
    if (now < graceEnd) {
      return { tier: 'premium', source: 'subscription', until: graceEnd, status }
    }
  }
  if (record.compUntil !== null && record.compUntil > now) {
    return { tier: 'premium', source: 'grant', until: record.compUntil, status }
  }
  return { ...FREE, status }
}
