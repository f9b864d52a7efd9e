import type { AccountStore } from '../core/ports/stores.js'
import type { EmailOutboxStore } from './email-stores.js'

/** What an account email needs: the account (for its address) and the outbox to enqueue in. */
export type OutboxStores = { readonly accounts: AccountStore; readonly outbox: EmailOutboxStore }

/** A subscription started: the price as Stripe reports it, and the paid-until date. */
export interface PremiumStartedInfo {
  readonly amount: number | null
  readonly currency: string | null
  readonly interval: string | null
  readonly until: number | null
}

/** A renewal charge failed; `billingUrl` opens the customer portal when there is one. */
export interface PaymentFailedInfo {
  readonly billingUrl: string | null
}

export interface NewSubscriberInfo {
  readonly accountId: string
  readonly amount: number | null
  readonly currency: string | null
}

export interface DuplicateSubscriptionInfo {
  readonly accountId: string
  readonly customerId: string | null
  readonly subscriptionIds: readonly string[]
}

export interface RefundInfo {
  readonly accountId: string | null
  readonly amount: number
  readonly currency: string
  readonly chargeId: string
}

export interface StarsReceiptInfo {
  readonly amount: number
  readonly until: number
  readonly renewal: boolean
  readonly chargeId: string
}

export interface StarsEventInfo {
  readonly kind: 'refund' | 'cancel' | 'resume'
  readonly accountId: string
  readonly chargeId: string
  readonly amount: number | null
}

/**
 * Emails that other subsystems trigger. Each call enqueues into the outbox through the `stores`
 * it is given, so passing transaction-bound stores writes the email in the same transaction as
 * the event that caused it. Calls are no-ops when the account has no verified email (user mails)
 * or no ADMIN_EMAIL is configured (operator mails). `dedupeKey` makes a repeated call harmless.
 */
export interface AccountEmails {
  premiumStarted(
    stores: OutboxStores,
    accountId: string,
    info: PremiumStartedInfo,
    dedupeKey: string,
  ): Promise<void>
  paymentFailed(
    stores: OutboxStores,
    accountId: string,
    info: PaymentFailedInfo,
    dedupeKey: string,
  ): Promise<void>
  premiumEnded(stores: OutboxStores, accountId: string, dedupeKey: string): Promise<void>
  adminNewSubscriber(
    stores: OutboxStores,
    info: NewSubscriberInfo,
    dedupeKey: string,
  ): Promise<void>
  /** One account pays for more than one live subscription (e.g. two checkout links paid). */
  adminDuplicateSubscription(
    stores: OutboxStores,
    info: DuplicateSubscriptionInfo,
    dedupeKey: string,
  ): Promise<void>
  adminRefund(stores: OutboxStores, info: RefundInfo, dedupeKey: string): Promise<void>
  /** A receipt for a Telegram Stars payment (first or renewal). */
  starsReceipt?(
    stores: OutboxStores,
    accountId: string,
    info: StarsReceiptInfo,
    dedupeKey: string,
  ): Promise<void>
  /** Tells ADMIN_EMAIL about a Stars refund or a renewal cancellation/re-enabling. */
  adminStarsEvent?(stores: OutboxStores, info: StarsEventInfo, dedupeKey: string): Promise<void>
}
