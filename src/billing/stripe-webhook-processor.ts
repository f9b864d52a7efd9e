import type Stripe from 'stripe'
import type { Logger } from '../core/ports/logger.js'
import type { AccountEmails } from '../email/account-emails.js'
import type { BillingStores } from './billing-stores.js'
import type { ProcessResult, StripeEventContext } from './stripe-event-context.js'
import { chargeRefunded, invoiceFailed, invoicePaid } from './stripe-payment-events.js'
import { checkoutCompleted, subscriptionChanged } from './stripe-subscription-events.js'

export type { PendingNotice, ProcessResult, WebhookOutcome } from './stripe-event-context.js'

export interface StripeWebhookProcessorDeps {
  readonly stores: BillingStores
  readonly log: Logger
  readonly emails?: AccountEmails | undefined
}

export interface StripeWebhookProcessorOptions {
  readonly graceDays: number
}

export const HANDLED_EVENTS: ReadonlySet<string> = new Set([
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
  'charge.refunded',
])

/**
 * Applies verified Stripe events to the subscription store. Each event is recorded and applied
 * in one transaction (a duplicate changes nothing, a failure leaves nothing behind and is
 * rethrown so Stripe retries); emails are enqueued in that same transaction. The handlers per
 * event type live in `stripe-subscription-events.ts` and `stripe-payment-events.ts`.
 */
export class StripeWebhookProcessor {
  readonly #stores: BillingStores
  readonly #log: Logger
  readonly #emails: AccountEmails | undefined
  readonly #graceDays: number
  #tail: Promise<unknown> = Promise.resolve()

  constructor(deps: StripeWebhookProcessorDeps, options: StripeWebhookProcessorOptions) {
    this.#stores = deps.stores
    this.#log = deps.log
    this.#emails = deps.emails
    this.#graceDays = options.graceDays
  }

  /**
   * Applies one event. Events are applied one at a time in this process: each reads the row it
   * compares against, so two interleaved transactions (PostgreSQL, READ COMMITTED) could
   * otherwise let an older event overwrite a newer one.
   */
  async process(event: Stripe.Event, now: number): Promise<ProcessResult> {
    const run = this.#tail.then(() => this.#apply(event, now))
    this.#tail = run.catch(() => undefined)
    return run
  }

  async #apply(event: Stripe.Event, now: number): Promise<ProcessResult> {
    return this.#stores.transaction(async (tx) => {
      const fresh = await tx.stripeEvents.record(event.id, event.type, event.created, now)
      if (!fresh) return { outcome: 'duplicate', notices: [] }
      const ctx: StripeEventContext = {
        tx,
        log: this.#log,
        emails: this.#emails,
        graceDays: this.#graceDays,
      }
      switch (event.type) {
        case 'checkout.session.completed':
          return checkoutCompleted(ctx, event.data.object, now)
        case 'customer.subscription.created':
        case 'customer.subscription.updated':
        case 'customer.subscription.deleted':
          return subscriptionChanged(ctx, event.id, event.data.object, event.created, now)
        case 'invoice.paid':
          return invoicePaid(ctx, event.data.object, now)
        case 'invoice.payment_failed':
          return invoiceFailed(ctx, event.data.object, event.created, now)
        case 'charge.refunded':
          return chargeRefunded(ctx, event.data.object)
        default:
          return { outcome: 'ignored', notices: [] }
      }
    })
  }
}
