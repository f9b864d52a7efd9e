import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DoubleChatRequest } from '../doubles/ollama-double.js'
import { World } from './e2e-world.js'

/**
 * Premium bought inside Telegram with Telegram Stars, against the compiled platform and the
 * Bot API double: /subscribe → pre-checkout → payment → premium limits → renewal → cancel →
 * expiry back to free.
 */

let world: World

const lastUserText = (r: DoubleChatRequest) =>
  r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''
const replied = (needle: string) => (texts: string[]) =>
  texts.some((t) => t.includes(needle) && t.includes('end of reply.'))

beforeAll(async () => {
  world = await World.start({
    env: {
      FREE_DAILY_MESSAGES: '2',
      TELEGRAM_STARS_PRICE: '250',
      PAYSUPPORT_TEXT: 'Payments: write to pay@justlayme.test.',
    },
    ollama: { tokenIntervalMs: 10 },
  })
  world.ollama.set({ reply: (r) => `You said "${lastUserText(r)}". That is all, end of reply.` })
})

afterAll(async () => {
  await world?.close()
})

function buttons(chatId: number) {
  const last = world.telegram.botMessages(chatId).at(-1)
  const markup = last?.replyMarkup as
    | { inline_keyboard?: { text: string; url?: string; callback_data?: string }[][] }
    | undefined
  return { message: last, buttons: (markup?.inline_keyboard ?? []).flat() }
}

describe('Telegram Stars journey', () => {
  it('subscribes with Stars, gets premium limits, renews, cancels and falls back to free at expiry', async () => {
    const user = 620_001
    for (const n of [1, 2]) {
      await world.telegramSay(user, `message ${n}`, replied(`message ${n}`))
    }
    expect((await world.telegramSay(user, 'message 3'))[0]).toMatch(
      /^You've used all 2 messages for today/,
    )

    // /subscribe answers with a Stars invoice link (no Stripe link: TELEGRAM_SUBSCRIBE=stars).
    const offer = await world.telegramSay(user, '/subscribe')
    expect(offer[0]).toMatch(/renews every 30 days/)
    const offered = buttons(user).buttons
    expect(offered.map((b) => b.text)).toEqual(['Subscribe for 250 ⭐ / 30 days'])
    const invoice = world.telegram.payments.invoiceOf(offered[0]?.url ?? '')
    expect(invoice).toMatchObject({ currency: 'XTR', amount: 250, subscriptionPeriod: 2_592_000 })

    // Pay: the pre-checkout is approved, then Telegram sends the successful payment.
    const query = world.telegram.payments.injectPreCheckout({ userId: user, invoice })
    const answer = await world.telegram.until(() => world.telegram.payments.answers.get(query))
    expect(answer.ok).toBe(true)
    const firstEnd = Date.now() + 15_000
    const before = world.telegram.botMessages(user).length
    const first = world.telegram.payments.injectSuccessfulPayment({
      userId: user,
      invoice,
      expiresAt: firstEnd,
    })
    await world.telegram.until(() =>
      world.telegram
        .botMessages(user)
        .slice(before)
        .some((m) => m.text.startsWith('Thank you! Premium is active until')),
    )

    // Premium limits: the refused message goes through now.
    const lifted = await world.telegramSay(user, 'message 3 again', replied('message 3 again'))
    expect(lifted.at(-1)).toContain('You said "message 3 again"')
    const status = await world.telegramSay(user, '/status')
    expect(status[0]).toMatch(/^Plan: premium until \d{4}-\d{2}-\d{2} \(Telegram Stars\)/m)
    expect(status[0]).toMatch(/Messages left today: \d+ of 1000/)

    // Renewal: Telegram charges the next period; premium is extended.
    const renewedEnd = Date.now() + 20_000
    const renewedCount = world.telegram.botMessages(user).length
    expect(world.telegram.payments.renew(first.chargeId, renewedEnd)).not.toBeNull()
    await world.telegram.until(() =>
      world.telegram
        .botMessages(user)
        .slice(renewedCount)
        .some((m) => m.text.startsWith('Your premium renewed')),
    )

    // Cancel renewal from /billing: the button calls editUserStarSubscription.
    expect((await world.telegramSay(user, '/billing'))[0]).toMatch(/renews on .* for 250 Stars/)
    const billing = buttons(user)
    const cancel = billing.buttons.find((b) => b.text === 'Cancel renewal')
    const canceledCount = world.telegram.botMessages(user).length
    world.telegram.injectCallbackQuery({
      chatId: user,
      userId: user,
      messageId: billing.message?.message_id ?? 0,
      data: cancel?.callback_data ?? '',
    })
    await world.telegram.until(() =>
      world.telegram
        .botMessages(user)
        .slice(canceledCount)
        .some((m) => m.text.startsWith('Renewal canceled: premium stays on until')),
    )
    expect(world.telegram.callsOf('editUserStarSubscription').at(-1)?.body).toMatchObject({
      user_id: user,
      telegram_payment_charge_id: first.chargeId,
      is_canceled: true,
    })
    // Telegram does not renew a subscription the bot canceled.
    expect(world.telegram.payments.renew(first.chargeId)).toBeNull()
    expect((await world.telegramSay(user, '/status'))[0]).toMatch(/^Plan: premium/m)

    // Expiry: back to free, and the free limit applies again.
    const expiry = Math.floor(renewedEnd / 1000) * 1000
    await new Promise((r) => setTimeout(r, Math.max(0, expiry - Date.now() + 500)))
    expect((await world.telegramSay(user, '/status'))[0]).toMatch(/^Plan: free/m)
    expect((await world.telegramSay(user, 'message 4'))[0]).toMatch(
      /^You've used all 2 messages for today/,
    )

    expect((await world.telegramSay(user, '/paysupport'))[0]).toBe(
      'Payments: write to pay@justlayme.test.',
    )
    const payments = world.query<{ kind: string; amount: number }>(
      'select kind, amount from stars_payment order by created_at',
    )
    expect(payments).toEqual([
      { kind: 'first', amount: 250 },
      { kind: 'renewal', amount: 250 },
    ])
    expect(world.errors()).toEqual([])
  })
})
