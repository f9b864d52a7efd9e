import { afterEach, describe, expect, it } from 'vitest'
import type { CommandReply } from '../../../src/core/command.js'
import type { TelegramSubscribeMode } from '../../../src/core/ports/services.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { linkButtons, type StarsStack, startStarsStack } from './stars-harness.js'

const ALICE = 6001
const DAY = 86_400_000

let stack: StarsStack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

async function pay(s: StarsStack, userId: number, expiresAt = Date.now() + 30 * DAY) {
  const reply = await s.say(userId, '/subscribe')
  const url = linkButtons(reply).find((b) => b.url.startsWith('https://t.me/$'))?.url ?? ''
  const invoice = s.telegram.payments.invoiceOf(url)
  const id = s.telegram.payments.injectPreCheckout({ userId, invoice })
  expect(await s.telegram.until(() => s.telegram.payments.answers.get(id))).toMatchObject({
    ok: true,
  })
  const count = s.telegram.botMessages(userId).length
  const paid = s.telegram.payments.injectSuccessfulPayment({ userId, invoice, expiresAt })
  await s.nextMessage(userId, count)
  return paid
}

async function stripeRow(s: StarsStack, accountId: string) {
  const row = await s.stores.subscriptions.get(accountId)
  if (!row) throw new Error('no subscription row')
  return row
}

async function starsRow(s: StarsStack, accountId: string) {
  const row = await s.stores.stars.getSubscription(accountId)
  if (!row) throw new Error('no Stars subscription row')
  return row
}

/** Waits until the Stars checkout ignored a duplicate payment update. */
async function duplicateSeen(s: StarsStack): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const text = await s.registry.getSingleMetricAsString(
      'justlayme_telegram_stars_duplicate_payments_total',
    )
    if (/ 1$/m.test(text)) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('the duplicate payment was never processed')
}

/** Runs /subscribe on Discord through the core and returns the reply. */
async function subscribeOnDiscord(s: StarsStack): Promise<CommandReply> {
  const replies: CommandReply[] = []
  await s.core.runCommand(
    {
      platform: 'discord',
      platformUserId: '99',
      displayName: 'D',
      chatId: '99',
      chatKind: 'direct',
      adultAllowed: false,
      isChatAdmin: false,
      name: 'subscribe',
      args: {},
    },
    { reply: async (r) => void replies.push(r), stream: async () => {} },
  )
  const [reply] = replies
  if (!reply) throw new Error('no reply')
  return reply
}

describe('TELEGRAM_SUBSCRIBE modes', () => {
  const cases: [TelegramSubscribeMode, boolean, string[]][] = [
    ['stars', true, ['Subscribe for 250 ⭐ / 30 days']],
    ['stripe', true, ['Subscribe']],
    ['both', true, ['Subscribe for 250 ⭐ / 30 days', 'Pay by card instead']],
    ['stars', false, ['Subscribe for 250 ⭐ / 30 days']],
  ]
  it.each(cases)(
    'mode %s (Stripe configured: %s) offers %j on Telegram',
    async (mode, stripe, labels) => {
      stack = await startStarsStack({ mode, stripe })
      const s = stack
      const reply = await s.say(ALICE, '/subscribe')
      expect(linkButtons(reply).map((b) => b.text)).toEqual(labels)
      expect(s.telegram.callsOf('createInvoiceLink')).toHaveLength(mode === 'stripe' ? 0 : 1)
      const discord = await subscribeOnDiscord(s)
      if (stripe) expect(discord.links?.map((l) => l.label)).toEqual(['Subscribe'])
      else expect(discord.text).toMatch(/sold in Telegram with Telegram Stars/)
    },
  )
})

describe.each(TEST_DIALECTS)('Stars with Stripe, emails and a busy database (%s)', (dialect) => {
  it('combines Stars and Stripe premium; /status and /subscribe say which', async () => {
    stack = await startStarsStack({ dialect, stripe: true, mode: 'both' })
    const s = stack
    await s.say(ALICE, '/start')
    const accountId = await s.accountOf(ALICE)
    const now = Date.now()
    const stripeEnd = now + 10 * DAY
    await s.stores.subscriptions.upsert({
      accountId,
      stripeCustomerId: 'cus_1',
      stripeSubscriptionId: 'sub_1',
      status: 'active',
      priceId: 'price_1',
      currentPeriodEnd: stripeEnd,
      cancelAtPeriodEnd: false,
      pastDueSince: null,
      lastEventCreated: 1,
      compUntil: null,
      updatedAt: now,
    })
    expect(await s.entitlements.entitlement(accountId, now)).toMatchObject({
      tier: 'premium',
      sources: ['stripe'],
    })
    expect((await s.say(ALICE, '/subscribe')).text).toMatch(
      /already have premium until .* \(card \(Stripe\)\)\. Run \/billing/,
    )
    // Stars bought while Stripe runs (an invoice made before): both count.
    await s.stores.subscriptions.upsert({
      ...(await stripeRow(s, accountId)),
      status: 'canceled',
    })
    const starsEnd = now + 30 * DAY
    await pay(s, ALICE, starsEnd)
    await s.stores.subscriptions.upsert({
      ...(await stripeRow(s, accountId)),
      status: 'active',
    })
    const both = await s.entitlements.entitlement(accountId, now)
    expect(both).toMatchObject({ tier: 'premium', sources: ['stripe', 'stars'] })
    expect(both.until).toBe(Math.floor(starsEnd / 1000) * 1000)
    expect((await s.say(ALICE, '/status')).text).toMatch(/\(card \(Stripe\) \+ Telegram Stars\)/)
    // Stars ended: Stripe keeps premium.
    await s.stores.stars.putSubscription({
      ...(await starsRow(s, accountId)),
      expiresAt: now - 1,
    })
    expect(await s.entitlements.entitlement(accountId, now)).toMatchObject({
      tier: 'premium',
      source: 'subscription',
      sources: ['stripe'],
    })
  })

  it('mails a receipt to a verified email, in the payment transaction, once', async () => {
    stack = await startStarsStack({ dialect })
    const s = stack
    await s.say(ALICE, '/start')
    const accountId = await s.accountOf(ALICE)
    await s.stores.accounts.setEmailVerified(accountId, 'alice@example.com', Date.now())
    const paid = await pay(s, ALICE)
    s.telegram.payments.redeliver(paid.update)
    await duplicateSeen(s)
    const receipts = (await s.stores.outbox.due(Date.now() + 1, 20)).filter(
      (m) => m.kind === 'stars_receipt',
    )
    expect(receipts.map((m) => [m.to, m.subject])).toEqual([
      ['alice@example.com', 'Your JustLayMe premium is active'],
    ])
    expect(receipts[0]?.text).toContain(paid.chargeId)
  })
})

describe('pre-checkout while the database is busy (SQLite, one connection)', () => {
  it('answers within the deadline with a reason, and records the payment once the database is back', async () => {
    stack = await startStarsStack({ preCheckoutDeadlineMs: 500 })
    const s = stack
    const reply = await s.say(ALICE, '/subscribe')
    const url = linkButtons(reply)[0]?.url ?? ''
    const invoice = s.telegram.payments.invoiceOf(url)

    // A transaction that holds SQLite's only connection: every other query waits for it.
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const busy = s.stores.transaction(async (tx) => {
      await tx.kv.get('anything')
      await held
    })
    try {
      const id = s.telegram.payments.injectPreCheckout({ userId: ALICE, invoice })
      const answer = await s.telegram.until(() => s.telegram.payments.answers.get(id))
      expect(answer.ok).toBe(false)
      expect(answer.errorMessage).toMatch(
        /could not check this payment in time.*Nothing was charged/,
      )
      // Telegram's window: the double refuses answers after 10 s.
      expect(s.telegram.callsOf('answerPreCheckoutQuery').at(-1)?.error).toBeUndefined()
      const count = s.telegram.botMessages(ALICE).length
      s.telegram.payments.injectSuccessfulPayment({ userId: ALICE, invoice })
      release()
      await busy
      expect((await s.nextMessage(ALICE, count)).text).toMatch(/Premium is active/)
    } finally {
      release()
    }
    expect(
      await s.registry.getSingleMetricAsString('justlayme_telegram_stars_precheckout_total'),
    ).toMatch(/outcome="timeout"} 1/)
  })
})
