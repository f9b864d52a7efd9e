import type { Logger } from '../core/ports/logger.js'
import type {
  StarsRenewalResult,
  StarsService,
  StarsSubscriptionView,
  TelegramSubscribeMode,
} from '../core/ports/services.js'
import type { StarsPaymentsApi, StarsSubscriptionRecord } from '../core/ports/stars.js'
import type { AccountEmails } from '../email/account-emails.js'
import type { BillingStores } from './billing-stores.js'
import type { StarsMetrics } from './stars-metrics.js'
import type { StarsPayloads } from './stars-payload.js'

/** Telegram's only subscription period for Stars: 30 days, in seconds. */
export const STARS_SUBSCRIPTION_PERIOD = 2_592_000

export interface StarsBillingDeps {
  readonly stores: BillingStores
  readonly api: StarsPaymentsApi
  readonly payloads: StarsPayloads
  readonly metrics: StarsMetrics
  readonly log: Logger
  readonly emails?: AccountEmails | undefined
}

export interface StarsBillingOptions {
  /** TELEGRAM_STARS_PRICE: Stars per 30 days. */
  readonly price: number
  /** TELEGRAM_SUBSCRIBE. */
  readonly mode: TelegramSubscribeMode
}

/** Stars subscriptions as commands use them: invoice links, renewal on/off, refunds. */
export class StarsBilling implements StarsService {
  readonly price: number
  readonly mode: TelegramSubscribeMode
  readonly #d: StarsBillingDeps
  #lastApiError: string | null = null

  constructor(deps: StarsBillingDeps, options: StarsBillingOptions) {
    this.#d = deps
    this.price = options.price
    this.mode = options.mode
  }

  /** What the last failed Telegram payment call answered; null after a success. */
  get lastApiError(): string | null {
    return this.#lastApiError
  }

  async invoiceLink(accountId: string, now: number): Promise<string> {
    const payload = this.#d.payloads.issue(accountId, this.price, now)
    return this.#call('invoice', () =>
      this.#d.api.createInvoiceLink({
        title: 'Premium (30 days)',
        description:
          'More messages a day, a larger memory and premium personas. Renews every 30 days; cancel any time with /billing.',
        payload,
        amount: this.price,
        subscriptionPeriod: STARS_SUBSCRIPTION_PERIOD,
      }),
    )
  }

  async subscription(accountId: string, now: number): Promise<StarsSubscriptionView | null> {
    const row = await this.#d.stores.stars.getSubscription(accountId)
    return row ? this.#view(row, now) : null
  }

  async setRenewal(accountId: string, renew: boolean, now: number): Promise<StarsRenewalResult> {
    const row = await this.#d.stores.stars.getSubscription(accountId)
    if (!row || row.expiresAt <= now) return { status: 'none' }
    try {
      await this.#call('renewal', () =>
        this.#d.api.editUserStarSubscription(Number(row.telegramUserId), row.chargeId, !renew),
      )
    } catch (err) {
      this.#d.log.warn({ err, accountId }, 'editUserStarSubscription failed')
      return { status: 'failed', reason: err instanceof Error ? err.message : String(err) }
    }
    const action = renew ? 'resume' : 'cancel'
    const next = await this.#d.stores.transaction(async (tx) => {
      const current = (await tx.stars.getSubscription(accountId)) ?? row
      const updated = { ...current, renewalCanceled: !renew, updatedAt: now }
      await tx.stars.putSubscription(updated)
      await this.#d.emails?.adminStarsEvent?.(
        tx,
        { kind: action, accountId, chargeId: row.chargeId, amount: null },
        `stars-${action}:${row.chargeId}:${now}`,
      )
      return updated
    })
    this.#d.metrics.renewalChange(action)
    this.#d.log.info({ accountId, chargeId: row.chargeId, action }, 'stars renewal changed')
    return { status: 'done', view: this.#view(next, now) }
  }

  /** Refunds the newest unrefunded payment and ends the Stars premium now. */
  async refundLatest(accountId: string, now: number): Promise<{ amount: number } | null> {
    const payment = await this.#d.stores.stars.latestRefundable(accountId)
    if (!payment) return null
    await this.#call('refund', () =>
      this.#d.api.refundStarPayment(Number(payment.telegramUserId), payment.chargeId),
    )
    await this.#d.stores.transaction(async (tx) => {
      await tx.stars.markRefunded(payment.chargeId, now)
      const current = await tx.stars.getSubscription(accountId)
      if (current) {
        await tx.stars.putSubscription({
          ...current,
          expiresAt: Math.min(current.expiresAt, now),
          renewalCanceled: true,
          updatedAt: now,
        })
      }
      await this.#d.emails?.adminStarsEvent?.(
        tx,
        { kind: 'refund', accountId, chargeId: payment.chargeId, amount: payment.amount },
        `stars-refund:${payment.chargeId}`,
      )
    })
    this.#d.metrics.refund()
    this.#d.log.info({ accountId, chargeId: payment.chargeId }, 'stars payment refunded')
    return { amount: payment.amount }
  }

  #view(row: StarsSubscriptionRecord, now: number): StarsSubscriptionView {
    const active = row.expiresAt > now
    return {
      until: row.expiresAt,
      active,
      renewing: active && !row.renewalCanceled,
      price: this.price,
    }
  }

  async #call<T>(operation: 'invoice' | 'renewal' | 'refund', request: () => Promise<T>) {
    try {
      const result = await request()
      this.#lastApiError = null
      return result
    } catch (err) {
      this.#lastApiError = err instanceof Error ? err.message : 'unknown error'
      this.#d.metrics.failure(operation)
      throw err
    }
  }
}
