import { afterEach, describe, expect, it } from 'vitest'
import { StarsPayloads } from '../../../src/billing/stars-payload.js'
import type { DoubleInvoice } from '../../doubles/telegram-payments.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import {
  ADMIN,
  actionButtons,
  LINK_SECRET,
  linkButtons,
  type StarsStack,
  startStarsStack,
} from './stars-harness.js'

const ALICE = 5001
const BOB = 5002
const DAY = 86_400_000

let stack: StarsStack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

/** `/subscribe` in Alice's chat: the invoice behind the Stars button. */
async function subscribe(s: StarsStack, userId = ALICE): Promise<DoubleInvoice> {
  const reply = await s.say(userId, '/subscribe')
  const stars = linkButtons(reply).find((b) => b.url.startsWith('https://t.me/$'))
  if (!stars) throw new Error(`no Stars button in: ${reply.text}`)
  return s.telegram.payments.invoiceOf(stars.url)
}

/** Presses Pay: sends the pre-checkout query and waits for the bot's answer. */
async function preCheckout(
  s: StarsStack,
  input: Parameters<StarsStack['telegram']['payments']['injectPreCheckout']>[0],
) {
  const id = s.telegram.payments.injectPreCheckout(input)
  return s.telegram.until(() => s.telegram.payments.answers.get(id))
}

/** Pays an invoice as Telegram does after an approved checkout; waits for the confirmation. */
async function pay(s: StarsStack, userId: number, invoice: DoubleInvoice, expiresAt?: number) {
  const answer = await preCheckout(s, { userId, invoice })
  expect(answer).toMatchObject({ ok: true })
  const count = s.telegram.botMessages(userId).length
  const paid = s.telegram.payments.injectSuccessfulPayment({ userId, invoice, expiresAt })
  const confirmation = await s.nextMessage(userId, count)
  return { ...paid, confirmation }
}

describe.each(TEST_DIALECTS)('Telegram Stars subscriptions (%s, real grammY)', (dialect) => {
  it('creates a Stars subscription invoice link with the parameters Telegram requires', async () => {
    stack = await startStarsStack({ dialect, price: 300 })
    const s = stack
    const invoice = await subscribe(s)
    const call = s.telegram.callsOf('createInvoiceLink')[0]
    expect(call?.error).toBeUndefined()
    expect(call?.body).toMatchObject({
      currency: 'XTR',
      provider_token: '',
      subscription_period: 2_592_000,
      prices: [{ amount: 300 }],
    })
    expect(call?.body.prices).toHaveLength(1)
    expect(invoice.amount).toBe(300)
    expect(Buffer.byteLength(invoice.payload)).toBeLessThanOrEqual(128)
    // Signed, with the account and a fresh nonce each time.
    const again = await subscribe(s)
    expect(again.payload).not.toBe(invoice.payload)
    const check = new StarsPayloads({ secret: LINK_SECRET }).check(invoice.payload, Date.now())
    expect(check).toMatchObject({
      status: 'valid',
      accountId: await s.accountOf(ALICE),
      price: 300,
    })
    expect(s.telegram.commands.get('all_private_chats')?.map((c) => c.command)).toEqual(
      expect.arrayContaining(['paysupport', 'terms']),
    )
  })

  it('refuses forged, reused, expired, other-account and wrong-price checkouts with readable reasons', async () => {
    stack = await startStarsStack({ dialect })
    const s = stack
    const invoice = await subscribe(s)
    await s.say(BOB, '/start')

    const forged = invoice.payload.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
    expect(await preCheckout(s, { userId: ALICE, invoice, payload: forged })).toMatchObject({
      ok: false,
      errorMessage: expect.stringMatching(/not valid.*\/subscribe/),
    })
    const accountB = await s.accountOf(BOB)
    const other = new StarsPayloads({ secret: 'another secret of 32 characters!!' }).issue(
      accountB,
      250,
      Date.now(),
    )
    expect(await preCheckout(s, { userId: BOB, invoice, payload: other })).toMatchObject({
      ok: false,
      errorMessage: expect.stringMatching(/not valid/),
    })
    expect(await preCheckout(s, { userId: BOB, invoice })).toMatchObject({
      ok: false,
      errorMessage: expect.stringMatching(/someone else/),
    })
    const expired = new StarsPayloads({ secret: LINK_SECRET }).issue(
      await s.accountOf(ALICE),
      250,
      Date.now() - 2 * 60 * 60_000,
    )
    expect(await preCheckout(s, { userId: ALICE, invoice, payload: expired })).toMatchObject({
      ok: false,
      errorMessage: expect.stringMatching(/expired/),
    })
    expect(await preCheckout(s, { userId: ALICE, invoice, totalAmount: 1 })).toMatchObject({
      ok: false,
      errorMessage: expect.stringMatching(/price has changed/),
    })

    await pay(s, ALICE, invoice)
    expect(await preCheckout(s, { userId: ALICE, invoice })).toMatchObject({ ok: true })
    // Reused for a new subscription by someone else: refused.
    expect(await preCheckout(s, { userId: BOB, invoice })).toMatchObject({
      ok: false,
      errorMessage: expect.stringMatching(/already been paid/),
    })
    const metrics = await s.registry.getSingleMetricAsString(
      'justlayme_telegram_stars_precheckout_total',
    )
    expect(metrics).toMatch(/outcome="other_account"} 1/)
    expect(metrics).toMatch(/outcome="invalid"} 2/)
  })

  it('makes the account premium until the expiration date, extends on renewal, ignores duplicates', async () => {
    stack = await startStarsStack({ dialect })
    const s = stack
    const invoice = await subscribe(s)
    const accountId = await s.accountOf(ALICE)
    const firstEnd = Date.now() + 30 * DAY
    const first = await pay(s, ALICE, invoice, firstEnd)
    expect(first.confirmation.text).toMatch(/Premium is active until/)

    const end = Math.floor(firstEnd / 1000) * 1000
    expect(await s.entitlements.entitlement(accountId, Date.now())).toMatchObject({
      tier: 'premium',
      source: 'stars',
      until: end,
      sources: ['stars'],
    })
    expect((await s.entitlements.entitlement(accountId, end + 1)).tier).toBe('free')

    // The same update delivered twice changes nothing and sends nothing.
    s.telegram.payments.redeliver(first.update)
    const renewalEnd = firstEnd + 30 * DAY
    const count = s.telegram.botMessages(ALICE).length
    const renewalCharge = s.telegram.payments.renew(first.chargeId, renewalEnd)
    const renewed = await s.nextMessage(ALICE, count)
    expect(renewed.text).toMatch(/renewed/)
    expect(s.telegram.botMessages(ALICE)).toHaveLength(count + 1)
    expect(renewalCharge).not.toBeNull()

    const until = Math.floor(renewalEnd / 1000) * 1000
    expect((await s.entitlements.entitlement(accountId, end + 1)).until).toBe(until)
    const revenue = await s.stores.stars.revenue(0)
    expect(revenue).toMatchObject({ payments: 2, stars: 500 })
    expect(
      await s.registry.getSingleMetricAsString('justlayme_telegram_stars_duplicate_payments_total'),
    ).toMatch(/ 1$/m)

    const status = await s.say(ALICE, '/status')
    expect(status.text).toMatch(/premium until .* \(Telegram Stars\)/)
  })

  it('cancels and re-enables renewal from /billing buttons (editUserStarSubscription)', async () => {
    stack = await startStarsStack({ dialect })
    const s = stack
    const invoice = await subscribe(s)
    const first = await pay(s, ALICE, invoice)

    const billing = await s.say(ALICE, '/billing')
    expect(billing.text).toMatch(/renews on .* for 250 Stars/)
    const [cancel] = actionButtons(billing)
    expect(cancel?.text).toBe('Cancel renewal')
    let count = s.telegram.botMessages(ALICE).length
    s.telegram.injectCallbackQuery({
      chatId: ALICE,
      userId: ALICE,
      messageId: billing.message_id,
      data: cancel?.data ?? '',
    })
    const canceled = await s.nextMessage(ALICE, count)
    expect(canceled.text).toMatch(/Renewal canceled: premium stays on until/)
    expect(s.telegram.callsOf('editUserStarSubscription').at(-1)?.body).toMatchObject({
      user_id: ALICE,
      telegram_payment_charge_id: first.chargeId,
      is_canceled: true,
    })
    expect(s.telegram.payments.subscriptions.get(first.chargeId)?.canceledByBot).toBe(true)
    expect(s.telegram.payments.renew(first.chargeId)).toBeNull()

    const [resume] = actionButtons(canceled)
    expect(resume?.text).toBe('Turn renewal back on')
    count = s.telegram.botMessages(ALICE).length
    s.telegram.injectCallbackQuery({
      chatId: ALICE,
      userId: ALICE,
      messageId: canceled.message_id,
      data: resume?.data ?? '',
    })
    expect((await s.nextMessage(ALICE, count)).text).toMatch(/Renewal is back on/)
    expect(s.telegram.payments.subscriptions.get(first.chargeId)?.canceledByBot).toBe(false)
    const mails = await s.stores.outbox.due(Date.now() + 1, 20)
    expect(mails.filter((m) => m.kind === 'admin_stars').map((m) => [m.to, m.subject])).toEqual([
      ['ops@example.com', '[JustLayMe] Stars subscription renewal canceled'],
      ['ops@example.com', '[JustLayMe] Stars subscription renewal re-enabled'],
    ])
  })

  it('refunds the last Stars payment for an admin and ends that premium', async () => {
    stack = await startStarsStack({ dialect })
    const s = stack
    const invoice = await subscribe(s)
    const first = await pay(s, ALICE, invoice)
    const accountId = await s.accountOf(ALICE)
    expect((await s.entitlements.entitlement(accountId, Date.now())).tier).toBe('premium')

    const refused = await s.say(ALICE, `/admin refund telegram:${ALICE}`)
    expect(refused.text).toMatch(/bot admins only/)
    const done = await s.say(ADMIN, `/admin refund telegram:${ALICE}`)
    expect(done.text).toBe(
      `Refunded 250 Stars to telegram:${ALICE}; their Stars premium has ended.`,
    )
    expect(s.telegram.callsOf('refundStarPayment').at(-1)?.body).toMatchObject({
      user_id: ALICE,
      telegram_payment_charge_id: first.chargeId,
    })
    expect(s.telegram.payments.payments.get(first.chargeId)?.refunded).toBe(true)
    expect((await s.entitlements.entitlement(accountId, Date.now() + 1)).tier).toBe('free')
    const again = await s.say(ADMIN, `/admin refund telegram:${ALICE}`)
    expect(again.text).toMatch(/no payment to refund/)

    const mails = await s.stores.outbox.due(Date.now() + 1, 20)
    expect(mails.find((m) => m.kind === 'admin_stars')?.text).toMatch(
      new RegExp(
        `Stars payment refunded \\(250 Telegram Stars\\): account ${accountId}, payment ${first.chargeId}`,
      ),
    )
    const stats = await s.say(ADMIN, '/admin stats')
    expect(stats.text).toMatch(
      /Stars revenue, last 30 days: 250 Stars from 1 payment; refunded 250 Stars \(1\)/,
    )
  })

  it('answers /paysupport and /terms', async () => {
    stack = await startStarsStack({ dialect })
    const s = stack
    expect((await s.say(ALICE, '/paysupport')).text).toBe(
      'Write to pay@example.com.\nTerms: https://example.com/terms',
    )
    const terms = await s.say(ALICE, '/terms')
    expect(linkButtons(terms)).toEqual([{ text: 'Terms', url: 'https://example.com/terms' }])
  })
})
