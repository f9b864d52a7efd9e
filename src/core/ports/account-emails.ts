import type { Stores } from './stores.js'

/**
 * Emails that other subsystems trigger. Each call enqueues into the outbox through the `stores`
 * it is given, so passing transaction-bound stores writes the email in the same transaction as
 * the event that caused it. Calls are no-ops when the account has no verified email (user mails)
 * or no ADMIN_EMAIL is configured (operator mails). `dedupeKey` makes a repeated call harmless.
 */
export interface AccountEmails {
  premiumStarted(
    stores: Stores,
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
    stores: Stores,
    accountId: string,
    info: { billingUrl: string | null },
    dedupeKey: string,
  ): Promise<void>
  premiumEnded(stores: Stores, accountId: string, dedupeKey: string): Promise<void>
  adminNewSubscriber(
    stores: Stores,
    info: { accountId: string; amount: number | null; currency: string | null },
    dedupeKey: string,
  ): Promise<void>
  /** One account pays for more than one live subscription (e.g. two checkout links paid). */
  adminDuplicateSubscription(
    stores: Stores,
    info: { accountId: string; customerId: string | null; subscriptionIds: readonly string[] },
    dedupeKey: string,
  ): Promise<void>
  adminRefund(
    stores: Stores,
    info: { accountId: string | null; amount: number; currency: string; chargeId: string },
    dedupeKey: string,
  ): Promise<void>
}
