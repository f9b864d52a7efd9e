import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BillingHarness } from './billing-harness.js'

/** Issue 19 item 5: two personal checkout links of one account, both paid. */
let h: BillingHarness

beforeEach(async () => {
  h = await BillingHarness.start()
})
afterEach(async () => {
  await h.close()
})

async function open(accountId: string): Promise<string> {
  const opened = await h.visit(await h.billing.service.subscribeLink(accountId, h.clock))
  const sessionId = opened.location?.split('/pay/')[1]
  if (opened.status !== 303 || !sessionId) throw new Error(`checkout failed: ${opened.status}`)
  return sessionId
}

async function payAndDeliver(sessionId: string) {
  const paid = h.double.pay(sessionId)
  for (const event of [
    h.double.checkoutCompleted(sessionId),
    h.double.subscriptionEvent('created', paid.subscriptionId),
    h.double.invoiceEvent('paid', paid.invoiceId),
  ]) {
    expect((await h.deliver(event)).status).toBe(200)
  }
  return paid
}

describe('two checkout links paid separately', () => {
  it('keeps both subscriptions reachable through one portal and tells the admin', async () => {
    const accountId = await h.account()
    // Both links opened before either is paid (two chats, two tabs).
    const first = await open(accountId)
    const second = await open(accountId)
    const paidFirst = await payAndDeliver(first)
    const paidSecond = await payAndDeliver(second)

    // One Stripe customer for the account, so its portal lists every subscription.
    expect(paidSecond.customerId).toBe(paidFirst.customerId)
    const row = await h.stores.subscriptions.get(accountId)
    expect(row?.stripeCustomerId).toBe(paidFirst.customerId)
    // The first subscription stays the one premium follows; the second did not replace it.
    expect(row?.stripeSubscriptionId).toBe(paidFirst.subscriptionId)
    expect((await h.tier(accountId)).tier).toBe('premium')

    const billing = await h.billing.service.billingLink(accountId, h.clock)
    const portal = await h.visit(billing ?? '')
    expect(portal.status).toBe(303)
    const live = [...h.double.subscriptions.values()].filter(
      (s) => s.customer === paidFirst.customerId && s.status === 'active',
    )
    expect(live.map((s) => s.id).sort()).toEqual(
      [paidFirst.subscriptionId, paidSecond.subscriptionId].sort(),
    )

    // The admin is told once, naming both subscriptions.
    const outbox = await h.stores.outbox.due(Number.MAX_SAFE_INTEGER, 50)
    const alerts = outbox.filter((m) => m.kind === 'admin-duplicate-subscription')
    expect(alerts).toHaveLength(1)
    await h.deliver(h.double.subscriptionEvent('updated', paidSecond.subscriptionId))
    const again = await h.stores.outbox.due(Number.MAX_SAFE_INTEGER, 50)
    expect(again.filter((m) => m.kind === 'admin-duplicate-subscription')).toHaveLength(1)
  })
})
