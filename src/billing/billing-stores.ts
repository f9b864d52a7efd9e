import type { StarsStore } from '../core/ports/stars.js'
import type { Stores } from '../core/ports/stores.js'
import type { SubscriptionReader, SubscriptionRecord } from '../core/ports/subscriptions.js'
import type { EmailOutboxStore } from '../email/email-stores.js'

export interface SubscriptionStore extends SubscriptionReader {
  findByCustomer(stripeCustomerId: string): Promise<SubscriptionRecord | undefined>
  findBySubscription(stripeSubscriptionId: string): Promise<SubscriptionRecord | undefined>
  /** Inserts or replaces the row of `record.accountId`. */
  upsert(record: SubscriptionRecord): Promise<void>
  /** Adds a paid invoice to the day's Stripe revenue (read by the operator console). */
  recordPayment(amount: number, currency: string, at: number): Promise<void>
}

export interface StripeEventStore {
  /** Records an event id; false when it was already recorded (a duplicate delivery). */
  record(eventId: string, type: string, created: number, now: number): Promise<boolean>
}

/**
 * The stores billing works with: the core's, plus subscriptions it writes, the Stripe event
 * log, and the email outbox (billing emails are enqueued in the transaction of their event).
 */
export interface BillingStores extends Stores {
  readonly subscriptions: SubscriptionStore
  readonly stripeEvents: StripeEventStore
  /** Telegram Stars subscriptions and payments. */
  readonly stars: StarsStore
  readonly outbox: EmailOutboxStore
  transaction<T>(fn: (stores: BillingStores) => Promise<T>): Promise<T>
}
