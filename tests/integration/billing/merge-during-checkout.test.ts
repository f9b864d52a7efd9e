import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BillingHarness } from './billing-harness.js'

/** Issue 19 item 4: a subscription paid while (or after) its account was merged away. */
let h: BillingHarness

beforeEach(async () => {
  h = await BillingHarness.start()
})
afterEach(async () => {
  await h.close()
})

async function merge(fromId: string, intoId: string): Promise<void> {
  await h.stores.transaction((s) => s.accounts.merge(fromId, intoId, h.clock))
}

async function payAndDeliver(paid: {
  sessionId: string
  subscriptionId: string
  invoiceId: string
}) {
  for (const event of [
    h.double.checkoutCompleted(paid.sessionId),
    h.double.subscriptionEvent('created', paid.subscriptionId),
    h.double.invoiceEvent('paid', paid.invoiceId),
  ]) {
    expect((await h.deliver(event)).status).toBe(200)
  }
}

describe('a merge between /subscribe and payment', () => {
  it('/subscribe -> merge -> pay: premium lands on the survivor and /billing finds it', async () => {
    const telegram = await h.account('41')
    const discord = await h.account('42')
    // Checkout opened by the account that is about to be merged away.
    const paid = await h.checkout(telegram)
    await merge(telegram, discord)
    expect(await h.stores.accounts.get(telegram)).toBeUndefined()

    await payAndDeliver(paid)

    expect((await h.tier(discord)).tier).toBe('premium')
    const row = await h.stores.subscriptions.get(discord)
    expect(row?.stripeSubscriptionId).toBe(paid.subscriptionId)
    // Nothing is stored under the deleted id.
    expect(await h.stores.subscriptions.get(telegram)).toBeUndefined()
    const billing = await h.billing.service.billingLink(discord, h.clock)
    expect(billing).not.toBeNull()
    expect((await h.visit(billing ?? '')).status).toBe(303)
  })

  it('a subscribe link issued before the merge opens a checkout for the survivor', async () => {
    const telegram = await h.account('41')
    const discord = await h.account('42')
    const link = await h.billing.service.subscribeLink(telegram, h.clock)
    await merge(telegram, discord)

    const opened = await h.visit(link)
    expect(opened.status).toBe(303)
    const sessionId = opened.location?.split('/pay/')[1] ?? ''
    const paid = { sessionId, ...h.double.pay(sessionId) }
    await payAndDeliver(paid)
    expect((await h.tier(discord)).tier).toBe('premium')
  })

  it('follows chains of merges (A -> B, then B -> C)', async () => {
    const a = await h.account('41')
    const b = await h.account('42')
    const c = await h.account('43')
    const paid = await h.checkout(a)
    await merge(a, b)
    await merge(b, c)
    await payAndDeliver(paid)
    expect((await h.tier(c)).tier).toBe('premium')
    expect(await h.stores.accounts.survivorOf(a)).toBe(c)
    expect(await h.stores.accounts.survivorOf('acc_never_existed')).toBeUndefined()
  })

  it('never writes a subscription row for an account that does not exist', async () => {
    const a = await h.account('41')
    const paid = await h.checkout(a)
    // The account vanishes with its data, without a merge (e.g. deleted by hand).
    await h.handle.db.deleteFrom('subscription').where('account_id', '=', a).execute()
    await h.handle.db.deleteFrom('identity').where('account_id', '=', a).execute()
    await h.handle.db.deleteFrom('account').where('id', '=', a).execute()
    await payAndDeliver(paid)
    const rows = await h.handle.db.selectFrom('subscription').selectAll().execute()
    expect(rows).toEqual([])
  })
})
