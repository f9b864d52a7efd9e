/**
 * The payments part of the Telegram Bot API double: invoices in Telegram Stars, pre-checkout
 * queries with Telegram's 10-second answer window, successful payments (first and renewals),
 * `editUserStarSubscription` and `refundStarPayment`, with the documented parameter checks.
 */

export class PaymentApiError extends Error {
  readonly code = 400
  constructor(what: string) {
    super(`Bad Request: ${what}`)
  }
}

export interface DoubleInvoice {
  readonly slug: string
  readonly title: string
  readonly description: string
  readonly payload: string
  readonly currency: string
  readonly amount: number
  readonly subscriptionPeriod?: number | undefined
}

export interface PreCheckoutAnswerRecord {
  readonly ok: boolean
  readonly errorMessage?: string | undefined
  /** Milliseconds from queueing the query to the answer. */
  readonly afterMs: number
}

export interface DoubleStarPayment {
  readonly chargeId: string
  readonly userId: number
  readonly amount: number
  readonly payload: string
  /** Charge id of the subscription's first payment. */
  readonly subscriptionId?: string | undefined
  refunded: boolean
}

export interface DoubleStarSubscription {
  readonly id: string
  readonly userId: number
  readonly invoice: DoubleInvoice
  expiresAt: number
  canceledByBot: boolean
}

/** Telegram's answer window for pre-checkout queries. */
export const PRE_CHECKOUT_WINDOW_MS = 10_000
export const STARS_SUBSCRIPTION_PERIOD = 2_592_000
export const MAX_STARS_SUBSCRIPTION_PRICE = 10_000

interface Hooks {
  readonly enqueue: (update: Record<string, unknown>) => { update_id: number }
  readonly nextUpdateId: () => number
  readonly nextMessageId: (chatId: number) => number
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8')

export class TelegramPaymentsDouble {
  readonly invoices = new Map<string, DoubleInvoice>()
  readonly answers = new Map<string, PreCheckoutAnswerRecord>()
  readonly payments = new Map<string, DoubleStarPayment>()
  readonly subscriptions = new Map<string, DoubleStarSubscription>()
  readonly #pending = new Map<
    string,
    { queuedAt: number; invoice: DoubleInvoice; userId: number }
  >()
  readonly #hooks: Hooks
  #seq = 1

  constructor(hooks: Hooks) {
    this.#hooks = hooks
  }

  handles(method: string): boolean {
    return [
      'createInvoiceLink',
      'sendInvoice',
      'answerPreCheckoutQuery',
      'editUserStarSubscription',
      'refundStarPayment',
    ].includes(method)
  }

  dispatch(method: string, body: Record<string, any>): unknown {
    switch (method) {
      case 'createInvoiceLink': {
        const invoice = this.#invoice(body, true)
        return `https://t.me/$${invoice.slug}`
      }
      case 'sendInvoice': {
        if (body.chat_id === undefined) throw new PaymentApiError('chat_id is empty')
        const invoice = this.#invoice(body, false)
        const chatId = Number(body.chat_id)
        return {
          message_id: this.#hooks.nextMessageId(chatId),
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: chatId > 0 ? 'private' : 'supergroup' },
          invoice: {
            title: invoice.title,
            description: invoice.description,
            start_parameter: '',
            currency: invoice.currency,
            total_amount: invoice.amount,
          },
        }
      }
      case 'answerPreCheckoutQuery':
        return this.#answer(body)
      case 'editUserStarSubscription':
        return this.#edit(body)
      case 'refundStarPayment':
        return this.#refund(body)
      default:
        throw new PaymentApiError('method not handled')
    }
  }

  #invoice(body: Record<string, any>, link: boolean): DoubleInvoice {
    const title = String(body.title ?? '')
    const description = String(body.description ?? '')
    const payload = String(body.payload ?? '')
    if (title.length < 1 || title.length > 32) throw new PaymentApiError('INVOICE_TITLE_INVALID')
    if (description.length < 1 || description.length > 255)
      throw new PaymentApiError('INVOICE_DESCRIPTION_INVALID')
    if (bytes(payload) < 1 || bytes(payload) > 128)
      throw new PaymentApiError('INVOICE_PAYLOAD_INVALID')
    const currency = String(body.currency ?? '')
    if (!/^[A-Z]{3}$/.test(currency)) throw new PaymentApiError('CURRENCY_INVALID')
    const prices = body.prices
    if (!Array.isArray(prices) || prices.length === 0) throw new PaymentApiError('prices are empty')
    for (const p of prices) {
      if (typeof p?.label !== 'string' || !Number.isInteger(p?.amount)) {
        throw new PaymentApiError("can't parse prices JSON object")
      }
    }
    const period = body.subscription_period
    if (currency === 'XTR') {
      if (body.provider_token !== undefined && body.provider_token !== '')
        throw new PaymentApiError(
          'PROVIDER_TOKEN_INVALID: must be empty for payments in Telegram Stars',
        )
      if (prices.length !== 1)
        throw new PaymentApiError(
          'exactly one price must be specified for payments in Telegram Stars',
        )
      if (body.max_tip_amount !== undefined)
        throw new PaymentApiError('tips are not supported for payments in Telegram Stars')
    } else if (!body.provider_token) {
      throw new PaymentApiError('PAYMENT_PROVIDER_INVALID')
    }
    const amount = prices.reduce((sum: number, p: { amount: number }) => sum + p.amount, 0)
    if (amount < 1) throw new PaymentApiError('CURRENCY_TOTAL_AMOUNT_INVALID')
    if (period !== undefined) {
      if (!link)
        throw new PaymentApiError('subscription_period is supported only in createInvoiceLink')
      if (currency !== 'XTR')
        throw new PaymentApiError('subscriptions must be paid in Telegram Stars')
      if (Number(period) !== STARS_SUBSCRIPTION_PERIOD)
        throw new PaymentApiError('SUBSCRIPTION_PERIOD_INVALID')
      if (amount > MAX_STARS_SUBSCRIPTION_PRICE)
        throw new PaymentApiError('SUBSCRIPTION_PRICE_INVALID')
    }
    const invoice: DoubleInvoice = {
      slug: `inv${this.#seq++}`,
      title,
      description,
      payload,
      currency,
      amount,
      subscriptionPeriod: period === undefined ? undefined : Number(period),
    }
    this.invoices.set(invoice.slug, invoice)
    return invoice
  }

  /** The invoice behind a `https://t.me/$slug` link. */
  invoiceOf(url: string): DoubleInvoice {
    const invoice = this.invoices.get(url.replace(/^https:\/\/t\.me\/\$/, ''))
    if (!invoice) throw new Error(`unknown invoice link ${url}`)
    return invoice
  }

  /** Queues a pre_checkout_query as a client does when a person presses Pay. */
  injectPreCheckout(input: {
    userId: number
    invoice: DoubleInvoice
    payload?: string
    totalAmount?: number
    currency?: string
  }): string {
    const id = `pcq${this.#seq++}`
    const invoice = { ...input.invoice, payload: input.payload ?? input.invoice.payload }
    this.#pending.set(id, { queuedAt: Date.now(), invoice, userId: input.userId })
    this.#hooks.enqueue({
      update_id: this.#hooks.nextUpdateId(),
      pre_checkout_query: {
        id,
        from: { id: input.userId, is_bot: false, first_name: `User${input.userId}` },
        currency: input.currency ?? invoice.currency,
        total_amount: input.totalAmount ?? invoice.amount,
        invoice_payload: invoice.payload,
      },
    })
    return id
  }

  #answer(body: Record<string, any>): true {
    const id = String(body.pre_checkout_query_id ?? '')
    const pending = this.#pending.get(id)
    if (!pending) throw new PaymentApiError('QUERY_ID_INVALID')
    if (typeof body.ok !== 'boolean') throw new PaymentApiError('parameter "ok" is required')
    const afterMs = Date.now() - pending.queuedAt
    this.#pending.delete(id)
    if (afterMs > PRE_CHECKOUT_WINDOW_MS) {
      throw new PaymentApiError(
        'query is too old and response timeout expired or query ID is invalid',
      )
    }
    if (!body.ok && !String(body.error_message ?? '').trim())
      throw new PaymentApiError('ERROR_MESSAGE_EMPTY')
    this.answers.set(id, { ok: body.ok, errorMessage: body.error_message, afterMs })
    return true
  }

  /**
   * Queues the `successful_payment` message Telegram sends after an approved checkout (or a
   * renewal); `update` can be queued again to test duplicate delivery.
   */
  injectSuccessfulPayment(input: {
    userId: number
    invoice: DoubleInvoice
    chargeId?: string
    renewalOf?: DoubleStarSubscription
    expiresAt?: number
  }): { update: Record<string, unknown>; chargeId: string } {
    const chargeId = input.chargeId ?? `stxCharge${this.#seq++}`
    const subscription = input.invoice.subscriptionPeriod !== undefined
    const expiresAt = input.expiresAt ?? Date.now() + (input.invoice.subscriptionPeriod ?? 0) * 1000
    const payment: Record<string, unknown> = {
      currency: input.invoice.currency,
      total_amount: input.invoice.amount,
      invoice_payload: input.invoice.payload,
      telegram_payment_charge_id: chargeId,
      provider_payment_charge_id: `p_${chargeId}`,
      ...(subscription
        ? {
            subscription_expiration_date: Math.floor(expiresAt / 1000),
            is_recurring: true,
            ...(input.renewalOf ? {} : { is_first_recurring: true }),
          }
        : {}),
    }
    this.payments.set(chargeId, {
      chargeId,
      userId: input.userId,
      amount: input.invoice.amount,
      payload: input.invoice.payload,
      subscriptionId: subscription ? (input.renewalOf?.id ?? chargeId) : undefined,
      refunded: false,
    })
    if (subscription) {
      const existing = input.renewalOf
      if (existing) existing.expiresAt = expiresAt
      else
        this.subscriptions.set(chargeId, {
          id: chargeId,
          userId: input.userId,
          invoice: input.invoice,
          expiresAt,
          canceledByBot: false,
        })
    }
    const from = { id: input.userId, is_bot: false, first_name: `User${input.userId}` }
    const update = {
      update_id: this.#hooks.nextUpdateId(),
      message: {
        message_id: this.#hooks.nextMessageId(input.userId),
        date: Math.floor(Date.now() / 1000),
        chat: { id: input.userId, type: 'private', first_name: from.first_name },
        from,
        successful_payment: payment,
      },
    }
    this.#hooks.enqueue(update)
    return { update, chargeId }
  }

  /** Queues an update again (same content, new update id): a duplicate delivery. */
  redeliver(update: Record<string, unknown>): void {
    this.#hooks.enqueue({ ...update, update_id: this.#hooks.nextUpdateId() })
  }

  /**
   * Charges the next period of a subscription as Telegram does, unless the bot canceled it:
   * returns the new charge id, or null when Telegram would not renew.
   */
  renew(subscriptionId: string, expiresAt?: number): string | null {
    const subscription = this.subscriptions.get(subscriptionId)
    if (!subscription || subscription.canceledByBot) return null
    const next =
      expiresAt ?? subscription.expiresAt + (subscription.invoice.subscriptionPeriod ?? 0) * 1000
    return this.injectSuccessfulPayment({
      userId: subscription.userId,
      invoice: subscription.invoice,
      renewalOf: subscription,
      expiresAt: next,
    }).chargeId
  }

  #edit(body: Record<string, any>): true {
    const userId = Number(body.user_id)
    const chargeId = String(body.telegram_payment_charge_id ?? '')
    if (!Number.isInteger(userId) || userId <= 0) throw new PaymentApiError('USER_ID_INVALID')
    if (typeof body.is_canceled !== 'boolean')
      throw new PaymentApiError('parameter "is_canceled" is required')
    const subscription = this.subscriptions.get(chargeId)
    if (!subscription || subscription.userId !== userId)
      throw new PaymentApiError('SUBSCRIPTION_ID_INVALID')
    if (body.is_canceled && subscription.expiresAt <= Date.now())
      throw new PaymentApiError('SUBSCRIPTION_EXPIRED')
    subscription.canceledByBot = body.is_canceled
    return true
  }

  #refund(body: Record<string, any>): true {
    const userId = Number(body.user_id)
    const chargeId = String(body.telegram_payment_charge_id ?? '')
    if (!Number.isInteger(userId) || userId <= 0) throw new PaymentApiError('USER_ID_INVALID')
    const payment = this.payments.get(chargeId)
    if (!payment || payment.userId !== userId) throw new PaymentApiError('CHARGE_NOT_FOUND')
    if (payment.refunded) throw new PaymentApiError('CHARGE_ALREADY_REFUNDED')
    payment.refunded = true
    const subscription = payment.subscriptionId
      ? this.subscriptions.get(payment.subscriptionId)
      : undefined
    // A refunded subscription payment ends the subscription.
    if (subscription) subscription.canceledByBot = true
    return true
  }
}
