import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SubscriptionEntitlements } from '../../../src/billing/subscription-entitlements.js'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import type { SqlStores } from '../../../src/storage/sql-stores.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { createTestDatabase, TEST_DIALECTS } from '../../helpers/database.js'

const NOW = Date.parse('2026-11-26T08:00:00Z')
const DAY = 86_400_000

describe.each(TEST_DIALECTS)('SubscriptionEntitlements on %s', (dialect) => {
  let handle: DatabaseHandle
  let stores: SqlStores
  let entitlements: SubscriptionEntitlements

  beforeEach(async () => {
    handle = await createTestDatabase(dialect)
    stores = createSqlStores(handle.db)
    entitlements = new SubscriptionEntitlements({ stores }, { graceDays: 3 })
  })
  afterEach(async () => {
    await handle.destroy()
  })

  it('reads an unknown account as free', async () => {
    expect((await entitlements.entitlement('nobody', NOW)).tier).toBe('free')
  })

  it('grants complimentary premium for the given days, without Stripe', async () => {
    const { until } = await entitlements.grant('acc', 7, NOW)
    expect(until).toBe(NOW + 7 * DAY)
    expect(await entitlements.entitlement('acc', NOW + 6 * DAY)).toMatchObject({
      tier: 'premium',
      source: 'grant',
      until,
    })
    expect((await entitlements.entitlement('acc', NOW + 7 * DAY)).tier).toBe('free')
  })

  it('extends a running grant from its end', async () => {
    await entitlements.grant('acc', 7, NOW)
    const { until } = await entitlements.grant('acc', 3, NOW + DAY)
    expect(until).toBe(NOW + 10 * DAY)
  })

  it('keeps the Stripe fields of the row when granting', async () => {
    await stores.subscriptions.upsert({
      accountId: 'acc',
      stripeCustomerId: 'cus_1',
      stripeSubscriptionId: 'sub_1',
      status: 'canceled',
      priceId: 'price_1',
      currentPeriodEnd: NOW,
      cancelAtPeriodEnd: false,
      pastDueSince: null,
      lastEventCreated: 123,
      compUntil: null,
      updatedAt: NOW,
    })
    await entitlements.grant('acc', 1, NOW)
    expect(await stores.subscriptions.get('acc')).toMatchObject({
      stripeCustomerId: 'cus_1',
      stripeSubscriptionId: 'sub_1',
      lastEventCreated: 123,
      compUntil: NOW + DAY,
    })
  })

  it('refuses zero or negative days', async () => {
    await expect(entitlements.grant('acc', 0, NOW)).rejects.toThrow(RangeError)
    await expect(entitlements.grant('acc', -2, NOW)).rejects.toThrow(RangeError)
  })
})
