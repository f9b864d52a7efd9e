import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BillingHarness } from './billing-harness.js'

let h: BillingHarness

beforeEach(async () => {
  h = await BillingHarness.start({ emails: 'outbox' })
})
afterEach(async () => {
  await h.close()
})

describe('billing emails through the real outbox', () => {
  it('enqueues the premium email to the verified address and the operator notice', async () => {
    const accountId = await h.account()
    await h.stores.accounts.setEmailVerified(accountId, 'ann@example.com', h.clock)
    const paid = await h.checkout(accountId)

    for (const event of [
      h.double.checkoutCompleted(paid.sessionId),
      h.double.subscriptionEvent('created', paid.subscriptionId),
      h.double.invoiceEvent('paid', paid.invoiceId),
    ]) {
      await h.deliver(event)
      await h.deliver(event)
    }

    const due = await h.stores.outbox.due(Number.MAX_SAFE_INTEGER, 10)
    expect(due.map((m) => [m.kind, m.to]).sort()).toEqual([
      ['admin_new_subscriber', 'ops@example.com'],
      ['premium_started', 'ann@example.com'],
    ])
  })

  it('sends no person email to an account without a verified address', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    await h.deliver(h.double.subscriptionEvent('created', paid.subscriptionId))
    const due = await h.stores.outbox.due(Number.MAX_SAFE_INTEGER, 10)
    expect(due.filter((m) => m.kind === 'premium_started')).toHaveLength(0)
    expect((await h.tier(accountId)).tier).toBe('premium')
  })
})
