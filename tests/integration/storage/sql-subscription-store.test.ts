import { describe, expect, it } from 'vitest'
import type { SubscriptionRecord } from '../../../src/core/ports/subscriptions.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

const base: SubscriptionRecord = {
  accountId: 'a',
  stripeCustomerId: 'cus_a',
  stripeSubscriptionId: 'sub_a',
  status: 'active',
  priceId: 'price_1',
  currentPeriodEnd: 1_800_000_000_000,
  cancelAtPeriodEnd: true,
  pastDueSince: 1_700_000_000_000,
  lastEventCreated: 1_700_000_000,
  compUntil: null,
  updatedAt: 5,
}

describe.each(TEST_DIALECTS)('SqlSubscriptionStore on %s', (dialect) => {
  const t = useStores(dialect)

  it('round-trips every field and finds the row by each key', async () => {
    await t.stores.subscriptions.upsert(base)
    expect(await t.stores.subscriptions.get('a')).toEqual(base)
    expect(await t.stores.subscriptions.findByCustomer('cus_a')).toEqual(base)
    expect(await t.stores.subscriptions.findBySubscription('sub_a')).toEqual(base)
    expect(await t.stores.subscriptions.get('b')).toBeUndefined()
    expect(await t.stores.subscriptions.findByCustomer('cus_x')).toBeUndefined()
    expect(await t.stores.subscriptions.findBySubscription('sub_x')).toBeUndefined()
  })

  it('replaces the row of an account on upsert', async () => {
    await t.stores.subscriptions.upsert(base)
    const canceled: SubscriptionRecord = {
      ...base,
      status: 'canceled',
      cancelAtPeriodEnd: false,
      pastDueSince: null,
      updatedAt: 6,
    }
    await t.stores.subscriptions.upsert(canceled)
    expect(await t.stores.subscriptions.get('a')).toEqual(canceled)
  })

  it('counts entitled statuses and running grants as active', async () => {
    const none = { stripeCustomerId: null, stripeSubscriptionId: null }
    await t.stores.subscriptions.upsert({ ...base, accountId: 'active' })
    await t.stores.subscriptions.upsert({
      ...base,
      accountId: 'trial',
      stripeCustomerId: 'cus_t',
      stripeSubscriptionId: 'sub_t',
      status: 'trialing',
    })
    await t.stores.subscriptions.upsert({ ...base, ...none, accountId: 'gone', status: 'canceled' })
    await t.stores.subscriptions.upsert({
      ...base,
      ...none,
      accountId: 'comp',
      status: null,
      compUntil: 100,
    })
    expect(await t.stores.subscriptions.countActive(50)).toBe(3)
    expect(await t.stores.subscriptions.countActive(100)).toBe(2)
  })
})

describe.each(TEST_DIALECTS)('SqlStripeEventStore on %s', (dialect) => {
  const t = useStores(dialect)

  it('records an event once and reports duplicates', async () => {
    expect(await t.stores.stripeEvents.record('evt_1', 'invoice.paid', 1_700_000_000, 1)).toBe(true)
    expect(await t.stores.stripeEvents.record('evt_1', 'invoice.paid', 1_700_000_000, 2)).toBe(
      false,
    )
  })

  it('lets one of concurrent deliveries of the same event win', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.stores.stripeEvents.record('evt_2', 'x', 1, 1)),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
  })
})
