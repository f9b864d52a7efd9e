import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BillingHarness, DAY_MS, PRICE_ID, PUBLIC_URL } from './billing-harness.js'

let h: BillingHarness

beforeEach(async () => {
  h = await BillingHarness.start()
})
afterEach(async () => {
  await h.close()
})

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('subscribing through a personal link', () => {
  it('creates a subscription-mode checkout session for the account and redirects with 303', async () => {
    const accountId = await h.account()
    const link = await h.billing.service.subscribeLink(accountId, h.clock)
    expect(link.startsWith(`${PUBLIC_URL}/subscribe/`)).toBe(true)

    const opened = await h.visit(link)

    expect(opened.status).toBe(303)
    expect(opened.location).toMatch(new RegExp(`^${h.double.url}/pay/cs_test_`))
    const [request] = h.double.calls('POST', '/v1/checkout/sessions')
    expect(request?.params).toMatchObject({
      mode: 'subscription',
      line_items: [{ price: PRICE_ID, quantity: '1' }],
      client_reference_id: accountId,
      subscription_data: { metadata: { account_id: accountId } },
      success_url: `${PUBLIC_URL}/subscribe/success`,
      cancel_url: `${PUBLIC_URL}/subscribe/cancel`,
    })
    // The account's own Stripe customer, made just before (see item 5 of issue 19).
    expect(request?.params.customer).toBe(
      (await h.stores.subscriptions.get(accountId))?.stripeCustomerId,
    )
    expect(request?.authorization).toBe('Bearer sk_test_double123')
    expect(request?.stripeVersion).toBe('2026-10-28.endive')
    expect(request?.idempotencyKey).toBeTruthy()
  })

  it('creates the Stripe customer of the account with the verified email before its first checkout', async () => {
    const accountId = await h.account()
    await h.stores.accounts.setEmailVerified(accountId, 'ann@example.com', h.clock)
    await h.visit(await h.billing.service.subscribeLink(accountId, h.clock))
    const [customer] = h.double.calls('POST', '/v1/customers')
    expect(customer?.params.email).toBe('ann@example.com')
    const [request] = h.double.calls('POST', '/v1/checkout/sessions')
    expect(request?.params.customer).toMatch(/^cus_/)
    expect(request?.params.customer_email).toBeUndefined()
    expect((await h.stores.subscriptions.get(accountId))?.stripeCustomerId).toBe(
      request?.params.customer,
    )
  })

  it('reuses the existing Stripe customer instead of sending an email', async () => {
    const accountId = await h.account()
    await h.stores.accounts.setEmailVerified(accountId, 'ann@example.com', h.clock)
    const first = await h.checkout(accountId)
    await h.deliver(h.double.checkoutCompleted(first.sessionId))
    h.double.cancelSubscription(first.subscriptionId)
    await h.deliver(h.double.subscriptionEvent('deleted', first.subscriptionId))

    await h.visit(await h.billing.service.subscribeLink(accountId, h.clock))

    const second = h.double.calls('POST', '/v1/checkout/sessions')[1]
    expect(second?.params.customer).toBe(first.customerId)
    expect(second?.params.customer_email).toBeUndefined()
  })

  it('answers a reused link with a page asking to run /subscribe again', async () => {
    const link = await h.billing.service.subscribeLink(await h.account(), h.clock)
    expect((await h.visit(link)).status).toBe(303)
    const again = await h.visit(link)
    expect(again.status).toBe(410)
    expect(again.text).toContain('/subscribe')
    expect(h.double.calls('POST', '/v1/checkout/sessions')).toHaveLength(1)
  })

  it('lets link previews and HEAD probes through without using up the link', async () => {
    const link = await h.billing.service.subscribeLink(await h.account(), h.clock)
    const url = `${h.url}${link.slice(PUBLIC_URL.length)}`
    const preview = await fetch(url, {
      redirect: 'manual',
      headers: { 'user-agent': 'TelegramBot (like TwitterBot)' },
    })
    const head = await fetch(url, { method: 'HEAD', redirect: 'manual' })
    expect([preview.status, head.status]).toEqual([200, 200])
    expect(h.double.calls('POST', '/v1/checkout/sessions')).toHaveLength(0)
    expect((await h.visit(link)).status).toBe(303)
  })

  it('answers an expired link with a page asking to run /subscribe again', async () => {
    const link = await h.billing.service.subscribeLink(await h.account(), h.clock)
    h.clock += 60 * 60_000
    const opened = await h.visit(link)
    expect(opened.status).toBe(410)
    expect(opened.text).toContain('expired')
    expect(opened.text).toContain('/subscribe')
    expect(h.double.calls('POST', '/v1/checkout/sessions')).toHaveLength(0)
  })

  it('answers a forged link with a page and never calls Stripe', async () => {
    const link = await h.billing.service.subscribeLink(await h.account(), h.clock)
    const [body, sig] = link.slice(`${PUBLIC_URL}/subscribe/`.length).split('.')
    const forgedBody = Buffer.from(
      Buffer.from(body as string, 'base64url')
        .toString()
        .replace(/"a":"[^"]+"/, '"a":"someone"'),
    ).toString('base64url')
    const opened = await h.visit(`${PUBLIC_URL}/subscribe/${forgedBody}.${sig}`)
    expect(opened.status).toBe(400)
    expect(opened.text).toContain('/subscribe')
    expect((await h.visit(`${PUBLIC_URL}/subscribe/<script>`)).text).not.toContain('<script>')
    expect(h.double.calls('POST', '/v1/checkout/sessions')).toHaveLength(0)
  })

  it('refuses a link whose account no longer exists', async () => {
    const link = await h.billing.service.subscribeLink('merged-away-account', h.clock)
    expect((await h.visit(link)).status).toBe(400)
    expect(h.double.calls('POST', '/v1/checkout/sessions')).toHaveLength(0)
  })

  it('shows a friendly page when Stripe is down', async () => {
    const link = await h.billing.service.subscribeLink(await h.account(), h.clock)
    h.double.failNext(1, 500)
    const opened = await h.visit(link)
    expect(opened.status).toBe(502)
    expect(opened.text).toContain('payment provider')
    expect(h.billing.health()).toMatchObject({ name: 'stripe', status: 'degraded' })
    await h.visit(await h.billing.service.subscribeLink(await h.account(), h.clock))
    expect(h.billing.health()).toMatchObject({ status: 'up' })
  })

  it('serves the success and cancel pages', async () => {
    expect((await h.visit(`${PUBLIC_URL}/subscribe/success`)).status).toBe(200)
    const cancel = await h.visit(`${PUBLIC_URL}/subscribe/cancel`)
    expect(cancel.status).toBe(200)
    expect(cancel.text).toContain('/subscribe')
  })
})

describe('webhooks to entitlement', () => {
  it('turns premium on after payment and off after cancellation, telling the person', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    expect((await h.tier(accountId)).tier).toBe('free')

    for (const event of [
      h.double.checkoutCompleted(paid.sessionId),
      h.double.subscriptionEvent('created', paid.subscriptionId),
      h.double.invoiceEvent('paid', paid.invoiceId),
    ]) {
      expect((await h.deliver(event)).status).toBe(200)
    }

    const premium = await h.tier(accountId)
    expect(premium).toMatchObject({ tier: 'premium', source: 'subscription', status: 'active' })
    expect(premium.until).toBe(h.clock + 30 * DAY_MS)
    await waitFor(() => h.notices.length === 1)
    expect(h.notices[0]).toMatchObject({ accountId })
    expect(h.notices[0]?.notice.text).toMatch(/^Premium is active until 2026-12-26/)

    h.clock += DAY_MS
    h.double.cancelSubscription(paid.subscriptionId)
    await h.deliver(h.double.subscriptionEvent('deleted', paid.subscriptionId))

    expect((await h.tier(accountId)).tier).toBe('free')
    await waitFor(() => h.notices.length === 2)
    expect(h.notices[1]?.notice.text).toMatch(/ended/)
    const outbox = await h.stores.outbox.due(Number.MAX_SAFE_INTEGER, 10)
    expect(outbox.map((m) => m.kind).sort()).toEqual([
      'admin-new',
      'premium-ended',
      'premium-started',
    ])
  })

  it('applies every event once when each is delivered three times', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    const events = [
      h.double.checkoutCompleted(paid.sessionId),
      h.double.subscriptionEvent('created', paid.subscriptionId),
      h.double.invoiceEvent('paid', paid.invoiceId),
    ]
    const outcomes: string[] = []
    for (const event of events) {
      for (let i = 0; i < 3; i++) outcomes.push((await h.deliver(event)).body.outcome)
    }
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(6)
    expect((await h.tier(accountId)).tier).toBe('premium')
    await h.billing.close()
    expect(h.notices).toHaveLength(1)
    expect(await h.stores.outbox.counts()).toMatchObject({ pending: 2 })
  })

  it('ends up in the same state whatever order the events arrive in', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    const start = Math.floor(h.clock / 1000)
    const created = h.double.subscriptionEvent('created', paid.subscriptionId, start)
    const checkout = h.double.checkoutCompleted(paid.sessionId, start)
    const invoice = h.double.invoiceEvent('paid', paid.invoiceId, start)
    h.double.updateSubscription(paid.subscriptionId, { cancel_at_period_end: true })
    const updated = h.double.subscriptionEvent('updated', paid.subscriptionId, start + 60)
    h.double.cancelSubscription(paid.subscriptionId)
    const deleted = h.double.subscriptionEvent('deleted', paid.subscriptionId, start + 120)

    for (const event of [deleted, updated, invoice, created, checkout]) await h.deliver(event)

    const record = await h.stores.subscriptions.get(accountId)
    expect(record).toMatchObject({
      status: 'canceled',
      stripeSubscriptionId: paid.subscriptionId,
      stripeCustomerId: paid.customerId,
      lastEventCreated: start + 120,
    })
    expect((await h.tier(accountId)).tier).toBe('free')
  })

  it('ends up canceled when all events arrive at once, each three times', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    const start = Math.floor(h.clock / 1000)
    const events = [
      h.double.checkoutCompleted(paid.sessionId, start),
      h.double.subscriptionEvent('created', paid.subscriptionId, start),
      h.double.invoiceEvent('paid', paid.invoiceId, start),
    ]
    h.double.cancelSubscription(paid.subscriptionId)
    events.push(h.double.subscriptionEvent('deleted', paid.subscriptionId, start + 5))

    const responses = await Promise.all(
      [...events, ...events, ...events].reverse().map((event) => h.deliver(event)),
    )

    expect(responses.every((r) => r.status === 200)).toBe(true)
    expect(responses.filter((r) => r.body.outcome === 'duplicate')).toHaveLength(8)
    expect(await h.stores.subscriptions.get(accountId)).toMatchObject({ status: 'canceled' })
    expect((await h.tier(accountId)).tier).toBe('free')
  })

  it('does not let an old update resurrect premium after deletion', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    const start = Math.floor(h.clock / 1000)
    const active = h.double.subscriptionEvent('updated', paid.subscriptionId, start + 10)
    h.double.cancelSubscription(paid.subscriptionId)
    const deleted = h.double.subscriptionEvent('deleted', paid.subscriptionId, start + 20)

    await h.deliver(h.double.checkoutCompleted(paid.sessionId, start))
    await h.deliver(deleted)
    const late = await h.deliver(active)

    expect(late.body.outcome).toBe('stale')
    expect((await h.tier(accountId)).tier).toBe('free')
  })

  it('acknowledges events it cannot match to an account without changing anything', async () => {
    const event = h.double.event('customer.subscription.updated', {
      id: 'sub_elsewhere',
      object: 'subscription',
      customer: 'cus_elsewhere',
      status: 'active',
      metadata: {},
      cancel_at_period_end: false,
      items: { object: 'list', data: [] },
    })
    const response = await h.deliver(event)
    expect(response.status).toBe(200)
    expect(response.body.outcome).toBe('unmatched')
    expect(await h.stores.subscriptions.findBySubscription('sub_elsewhere')).toBeUndefined()
  })

  it('acknowledges event types it does not handle', async () => {
    const event = h.double.event('customer.created', { id: 'cus_1', object: 'customer' })
    expect((await h.deliver(event)).body).toEqual({ received: true, outcome: 'ignored' })
  })

  it('accepts events larger than the server-wide body limit, up to 512 KiB', async () => {
    const big = h.double.event('customer.created', { id: 'c', description: 'x'.repeat(100_000) })
    expect((await h.deliver(big)).status).toBe(200)
    const huge = h.double.event('customer.created', { id: 'c', description: 'x'.repeat(600_000) })
    expect((await h.deliver(huge)).status).toBe(413)
  })

  it('rejects a forged signature with 400 and changes nothing', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    const event = h.double.subscriptionEvent('created', paid.subscriptionId)

    const forged = await h.deliver(event, { secret: 'whsec_not_ours' })
    const missing = await h.deliver(event, { signature: '' })

    expect(forged.status).toBe(400)
    expect(forged.body.error).toBe('invalid_signature')
    expect(missing.status).toBe(400)
    // Only the customer made at checkout: no subscription was applied.
    expect((await h.stores.subscriptions.get(accountId))?.stripeSubscriptionId ?? null).toBeNull()
    expect((await h.deliver(event)).body.outcome).toBe('applied')
  })

  it('rejects a stale signature timestamp with 400 and changes nothing', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    const event = h.double.subscriptionEvent('created', paid.subscriptionId)
    const response = await h.deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 600 })
    expect(response.status).toBe(400)
    // Only the customer made at checkout: no subscription was applied.
    expect((await h.stores.subscriptions.get(accountId))?.stripeSubscriptionId ?? null).toBeNull()
  })

  it('leaves nothing half-applied when applying an event fails, and applies it on retry', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    const event = h.double.subscriptionEvent('created', paid.subscriptionId)
    h.failEmails = true

    const failed = await h.deliver(event)

    expect(failed.status).toBe(500)
    // Only the customer made at checkout: no subscription was applied.
    expect((await h.stores.subscriptions.get(accountId))?.stripeSubscriptionId ?? null).toBeNull()
    h.failEmails = false
    expect((await h.deliver(event)).body.outcome).toBe('applied')
    expect((await h.tier(accountId)).tier).toBe('premium')
  })

  it('counts webhook events by type and outcome in /metrics', async () => {
    const paid = await h.checkout(await h.account())
    const event = h.double.subscriptionEvent('created', paid.subscriptionId)
    await h.deliver(event)
    await h.deliver(event)
    await h.deliver(event, { secret: 'whsec_wrong' })
    const text = await (await fetch(`${h.url}/metrics`)).text()
    expect(text).toContain(
      'justlayme_stripe_webhook_events_total{type="customer.subscription.created",outcome="applied"} 1',
    )
    expect(text).toContain(
      'justlayme_stripe_webhook_events_total{type="customer.subscription.created",outcome="duplicate"} 1',
    )
    expect(text).toContain(
      'justlayme_stripe_webhook_events_total{type="unknown",outcome="invalid_signature"} 1',
    )
  })

  it('keeps state across a restart between two events', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    const createdEvent = h.double.subscriptionEvent('created', paid.subscriptionId)
    await h.deliver(createdEvent)
    const created = await h.stores.subscriptions.get(accountId)

    await h.stop()
    await h.open()

    expect(await h.stores.subscriptions.get(accountId)).toEqual(created)
    expect((await h.deliver(createdEvent)).body.outcome).toBe('duplicate')
    h.clock += 1000
    await h.deliver(h.double.checkoutCompleted(paid.sessionId))
    expect((await h.tier(accountId)).tier).toBe('premium')
    expect((await h.stores.subscriptions.get(accountId))?.stripeCustomerId).toBe(paid.customerId)
  })
})

describe('payment failures', () => {
  async function pastDue() {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    await h.deliver(h.double.checkoutCompleted(paid.sessionId))
    await h.deliver(h.double.subscriptionEvent('created', paid.subscriptionId))
    h.clock += 30 * DAY_MS
    const { invoiceId } = h.double.failRenewal(paid.subscriptionId)
    await h.deliver(h.double.subscriptionEvent('updated', paid.subscriptionId))
    await h.deliver(h.double.invoiceEvent('payment_failed', invoiceId))
    return { accountId, ...paid }
  }

  it('keeps premium during the grace period and tells the person to use /billing', async () => {
    const { accountId } = await pastDue()
    h.clock += 2 * DAY_MS
    expect(await h.tier(accountId)).toMatchObject({ tier: 'premium', status: 'past_due' })
    await waitFor(() => h.notices.length === 2)
    expect(h.notices[1]?.notice.text).toContain('/billing')
    expect(h.notices[1]?.notice.links?.[0]?.url).toMatch(new RegExp(`^${PUBLIC_URL}/billing/`))
    const kinds = (await h.stores.outbox.due(Number.MAX_SAFE_INTEGER, 10)).map((m) => m.kind)
    expect(kinds).toContain('payment-failed')
  })

  it('ends premium once the grace period is over', async () => {
    const { accountId } = await pastDue()
    h.clock += 3 * DAY_MS + 1
    expect(await h.tier(accountId)).toMatchObject({ tier: 'free', status: 'past_due' })
  })

  it('tells the person premium ended when Stripe gives up after the grace period', async () => {
    const { accountId, subscriptionId } = await pastDue()
    h.clock += 10 * DAY_MS
    h.double.cancelSubscription(subscriptionId)
    await h.deliver(h.double.subscriptionEvent('deleted', subscriptionId))
    await waitFor(() => h.notices.length === 3)
    expect(h.notices[2]?.notice.text).toMatch(/ended/)
    expect((await h.tier(accountId)).tier).toBe('free')
  })

  it('restores premium when the retried payment succeeds', async () => {
    const { accountId, subscriptionId } = await pastDue()
    h.clock += DAY_MS
    const { invoiceId } = h.double.renew(subscriptionId)
    await h.deliver(h.double.subscriptionEvent('updated', subscriptionId))
    await h.deliver(h.double.invoiceEvent('paid', invoiceId))
    h.clock += 10 * DAY_MS
    expect(await h.tier(accountId)).toMatchObject({ tier: 'premium', status: 'active' })
  })
})

describe('admin actions', () => {
  it('refunds the latest payment through the API and records it', async () => {
    const accountId = await h.account()
    const paid = await h.checkout(accountId)
    await h.deliver(h.double.checkoutCompleted(paid.sessionId))

    const refund = await h.billing.service.refundLatest(accountId, h.clock)

    expect(refund).toEqual({ amount: 999, currency: 'usd' })
    const [request] = h.double.calls('POST', '/v1/refunds')
    expect(request?.params).toEqual({ charge: paid.chargeId })
    expect(h.double.charges.get(paid.chargeId)?.refunded).toBe(true)
    const webhook = await h.deliver(h.double.chargeRefunded(paid.chargeId))
    expect(webhook.body.outcome).toBe('applied')
    expect(await h.stores.kv.get(`stripe-refund:${paid.chargeId}`)).toContain(accountId)
    expect(await h.billing.service.refundLatest(accountId, h.clock)).toBeNull()
  })

  it('has nothing to refund for an account without payments', async () => {
    expect(await h.billing.service.refundLatest(await h.account(), h.clock)).toBeNull()
  })

  it('opens the customer portal through a billing link', async () => {
    const accountId = await h.account()
    expect(await h.billing.service.billingLink(accountId, h.clock)).toBeNull()
    const paid = await h.checkout(accountId)
    await h.deliver(h.double.checkoutCompleted(paid.sessionId))

    const link = await h.billing.service.billingLink(accountId, h.clock)
    const opened = await h.visit(link as string)

    expect(opened.status).toBe(303)
    expect(opened.location).toMatch(/\/portal\/bps_/)
    const [request] = h.double.calls('POST', '/v1/billing_portal/sessions')
    expect(request?.params).toEqual({
      customer: paid.customerId,
      return_url: `${PUBLIC_URL}/billing/done`,
    })
    const subscribeToken = (link as string).split('/billing/')[1]
    expect((await h.visit(`${PUBLIC_URL}/subscribe/${subscribeToken}`)).status).toBe(400)
  })
})
