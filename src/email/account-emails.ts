import type { AccountStore } from '../core/ports/stores.js'
import type { EmailOutboxStore } from './email-stores.js'

/** What an account email needs: the account (for its address) and the outbox to enqueue in. */
export type OutboxStores = { readonly accounts: AccountStore; readonly outbox: EmailOutboxStore }

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
    info: {
      amount: number | null
      currency: string | null
      interval: string | null
      until: number | null
    },
    dedupeKey: string,
  ): Promise<void>
  paymentFailed(
    stores: OutboxStores,
    accountId: string,
    info: { billingUrl: string | null },
    dedupeKey: string,
  ): Promise<void>
  premiumEnded(stores: OutboxStores, accountId: string, dedupeKey: string): Promise<void>
  adminNewSubscriber(
    stores: OutboxStores,
    info: { accountId: string; amount: number | null; currency: string | null },
    dedupeKey: string,
  ): Promise<void>
  /** One account pays for more than one live subscription (e.g. two checkout links paid). */
  adminDuplicateSubscription(
    stores: OutboxStores,
    info: { accountId: string; customerId: string | null; subscriptionIds: readonly string[] },
    dedupeKey: string,
  ): Promise<void>
  adminRefund(
    stores: OutboxStores,
    info: { accountId: string | null; amount: number; currency: string; chargeId: string },
    dedupeKey: string,
  ): Promise<void>
  /** A receipt for a Telegram Stars payment (first or renewal). */
  starsReceipt?(
    stores: OutboxStores,
    accountId: string,
    info: { amount: number; until: number; renewal: boolean; chargeId: string },
    dedupeKey: string,
  ): Promise<void>
  /** Tells ADMIN_EMAIL about a Stars refund or a renewal cancellation/re-enabling. */
  adminStarsEvent?(
    stores: OutboxStores,
    info: {
      kind: 'refund' | 'cancel' | 'resume'
      accountId: string
      chargeId: string
      amount: number | null
    },
    dedupeKey: string,
  ): Promise<void>
}
