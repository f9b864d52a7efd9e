import type { Context } from 'grammy'
import type { Logger } from '../../src/core/ports/logger.js'
import type { StarsCheckout } from '../../src/core/ports/stars.js'
import type { TelegramSender } from './telegram-sender.js'
import { displayNameOf } from './update-mapping.js'

export interface PaymentHandlersDeps {
  readonly checkout: StarsCheckout
  /** Sends the answer; without it, through the update's context (the bot's own client). */
  readonly answer?: PreCheckoutAnswerSender | undefined
  readonly sender: TelegramSender
  readonly log: Logger
}

export type PreCheckoutAnswerSender = (
  queryId: string,
  ok: boolean,
  errorMessage?: string,
) => Promise<void>

const NOT_RECORDED =
  'Your payment went through, but we could not record it yet. Nothing is lost: an operator has been alerted. Use /paysupport if premium does not start soon.'

/**
 * Maps Telegram's payment updates to the Stars checkout. Pre-checkout queries are answered in
 * the update handler itself (never queued behind chat work), always, with a readable reason
 * when refused.
 */
export class PaymentHandlers {
  readonly #d: PaymentHandlersDeps

  constructor(deps: PaymentHandlersDeps) {
    this.#d = deps
  }

  async onPreCheckoutQuery(ctx: Context): Promise<void> {
    const query = ctx.preCheckoutQuery
    if (!query) return
    const answer = await this.#d.checkout.preCheckout({
      telegramUserId: String(query.from.id),
      currency: query.currency,
      totalAmount: query.total_amount,
      payload: query.invoice_payload,
    })
    try {
      const send = this.#d.answer
      if (send) await send(query.id, answer.ok, answer.ok ? undefined : answer.reason)
      else
        await (answer.ok
          ? ctx.answerPreCheckoutQuery(true)
          : ctx.answerPreCheckoutQuery(false, { error_message: answer.reason }))
    } catch (err) {
      this.#d.log.warn({ err, ok: answer.ok }, 'telegram answerPreCheckoutQuery failed')
    }
  }

  /** A `successful_payment` service message (first payment or renewal). */
  async onSuccessfulPayment(ctx: Context): Promise<void> {
    const message = ctx.message
    const payment = message?.successful_payment
    const from = message?.from
    if (!message || !payment || !from) return
    const target = { chatId: message.chat.id, isGroup: false }
    let text: string | null
    try {
      const result = await this.#d.checkout.recordPayment({
        telegramUserId: String(from.id),
        displayName: displayNameOf(from),
        currency: payment.currency,
        totalAmount: payment.total_amount,
        payload: payment.invoice_payload,
        chargeId: payment.telegram_payment_charge_id,
        subscriptionExpirationDate: payment.subscription_expiration_date,
        isRecurring: payment.is_recurring,
        isFirstRecurring: payment.is_first_recurring,
      })
      text = result.text
    } catch {
      // recordPayment logged the payment in full for the operator.
      text = NOT_RECORDED
    }
    if (text === null) return
    try {
      await this.#d.sender.sendText(target, text)
    } catch (err) {
      this.#d.log.warn({ err }, 'telegram could not confirm a payment in chat')
    }
  }
}
