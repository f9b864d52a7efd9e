import type { Logger } from '../core/ports/logger.js'
import type { SubscriptionRecord } from '../core/ports/subscriptions.js'
import type { OutgoingNotice } from '../core/types.js'
import type { AccountEmails } from '../email/account-emails.js'
import type { BillingStores } from './billing-stores.js'

/** What became of one event: `applied` changed state, the rest did not. */
export type WebhookOutcome = 'applied' | 'duplicate' | 'stale' | 'ignored' | 'unmatched'

export interface PendingNotice {
  readonly accountId: string
  readonly kind: 'premium_started' | 'payment_failed' | 'premium_ended'
  readonly notice: OutgoingNotice
}

export interface ProcessResult {
  readonly outcome: WebhookOutcome
  /** Chat notices to send once the transaction committed. */
  readonly notices: readonly PendingNotice[]
}

/** What every event handler is given: the open transaction and the processor's settings. */
export interface StripeEventContext {
  readonly tx: BillingStores
  readonly log: Logger
  readonly emails: AccountEmails | undefined
  readonly graceDays: number
}

export interface FoundAccount {
  readonly accountId: string
  readonly row: SubscriptionRecord | undefined
}

export const ACCOUNT_KEY = 'account_id'

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** The account an object belongs to, with its row when the lookup already read it. */
export async function findAccount(
  ctx: StripeEventContext,
  hints: {
    accountId?: string | null
    subscriptionId?: string | null
    customerId?: string | null
  },
): Promise<FoundAccount | null> {
  const { tx } = ctx
  // Stored Stripe ids first: they follow an account merge, Stripe's metadata does not.
  const row =
    (hints.subscriptionId
      ? await tx.subscriptions.findBySubscription(hints.subscriptionId)
      : undefined) ??
    (hints.customerId ? await tx.subscriptions.findByCustomer(hints.customerId) : undefined)
  if (row) return { accountId: row.accountId, row }
  return byAccountId(ctx, hints.accountId)
}

/**
 * An account id carried by Stripe (client reference, metadata) follows merges to the
 * surviving account; an id that never existed matches nothing, so no row is ever written
 * for an account that is not there.
 */
export async function byAccountId(
  ctx: StripeEventContext,
  accountId: string | null | undefined,
): Promise<FoundAccount | null> {
  if (!accountId) return null
  const survivor = await ctx.tx.accounts.survivorOf(accountId)
  if (!survivor) return null
  if (survivor !== accountId) {
    ctx.log.info({ accountId, survivor }, 'stripe event for a merged account: using the survivor')
  }
  return { accountId: survivor, row: await ctx.tx.subscriptions.get(survivor) }
}

export function unmatched(
  ctx: StripeEventContext,
  kind: string,
  objectId: string | undefined,
): ProcessResult {
  ctx.log.warn({ kind, objectId }, 'stripe event matches no account; recorded and skipped')
  return { outcome: 'unmatched', notices: [] }
}
