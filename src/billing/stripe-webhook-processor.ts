import type Stripe from 'stripe'
import type { Logger } from '../core/ports/logger.js'
import type { SubscriptionRecord } from '../core/ports/subscriptions.js'
import type { OutgoingNotice } from '../core/types.js'
import type { AccountEmails } from '../email/account-emails.js'
import type { BillingStores } from './billing-stores.js'
import { DAY_MS, entitlementOf } from './entitlement-rule.js'
import {
  applySubscription,
  emptyRecord,
  idOf,
  isLive,
  priceInfo,
  shouldApply,
} from './subscription-state.js'

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

const ACCOUNT_KEY = 'account_id'

function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/**
 * Applies verified Stripe events to the subscription store. Each event is recorded and applied
 * in one transaction (a duplicate changes nothing, a failure leaves nothing behind and is
 * rethrown so Stripe retries); emails are enqueued in that same transaction.
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
      switch (event.type) {
        case 'checkout.session.completed':
          return this.#checkoutCompleted(tx, event.data.object, now)
        case 'customer.subscription.created':
        case 'customer.subscription.updated':
        case 'customer.subscription.deleted':
          return this.#subscriptionChanged(tx, event.id, event.data.object, event.created, now)
        case 'invoice.paid':
          return this.#invoicePaid(tx, event.data.object, now)
        case 'invoice.payment_failed':
          return this.#invoiceFailed(tx, event.data.object, event.created, now)
        case 'charge.refunded':
          return this.#chargeRefunded(tx, event.data.object)
        default:
          return { outcome: 'ignored', notices: [] }
      }
    })
  }

  /** The account an object belongs to, with its row when the lookup already read it. */
  async #findAccount(
    tx: BillingStores,
    hints: {
      accountId?: string | null
      subscriptionId?: string | null
      customerId?: string | null
    },
  ): Promise<{ accountId: string; row: SubscriptionRecord | undefined } | null> {
    // Stored Stripe ids first: they follow an account merge, Stripe's metadata does not.
    const row =
      (hints.subscriptionId
        ? await tx.subscriptions.findBySubscription(hints.subscriptionId)
        : undefined) ??
      (hints.customerId ? await tx.subscriptions.findByCustomer(hints.customerId) : undefined)
    if (row) return { accountId: row.accountId, row }
    return this.#byAccountId(tx, hints.accountId)
  }

  /**
   * An account id carried by Stripe (client reference, metadata) follows merges to the
   * surviving account; an id that never existed matches nothing, so no row is ever written
   * for an account that is not there.
   */
  async #byAccountId(
    tx: BillingStores,
    accountId: string | null | undefined,
  ): Promise<{ accountId: string; row: SubscriptionRecord | undefined } | null> {
    if (!accountId) return null
    const survivor = await tx.accounts.survivorOf(accountId)
    if (!survivor) return null
    if (survivor !== accountId) {
      this.#log.info(
        { accountId, survivor },
        'stripe event for a merged account: using the survivor',
      )
    }
    return { accountId: survivor, row: await tx.subscriptions.get(survivor) }
  }

  async #checkoutCompleted(
    tx: BillingStores,
    session: Stripe.Checkout.Session,
    now: number,
  ): Promise<ProcessResult> {
    if (session.mode !== 'subscription') return { outcome: 'ignored', notices: [] }
    const customerId = idOf(session.customer)
    const subscriptionId = idOf(session.subscription)
    const found = session.client_reference_id
      ? await this.#byAccountId(tx, session.client_reference_id)
      : await this.#findAccount(tx, { accountId: session.metadata?.[ACCOUNT_KEY], customerId })
    if (!found) return this.#unmatched('checkout.session.completed', session.id)
    const current = found.row ?? emptyRecord(found.accountId, now)
    // Only links ids: the subscription's own events carry its status.
    const replaceSubscription = !current.stripeSubscriptionId || !isLive(current.status)
    await tx.subscriptions.upsert({
      ...current,
      stripeCustomerId: customerId ?? current.stripeCustomerId,
      stripeSubscriptionId: replaceSubscription
        ? (subscriptionId ?? current.stripeSubscriptionId)
        : current.stripeSubscriptionId,
      ...(replaceSubscription && subscriptionId && subscriptionId !== current.stripeSubscriptionId
        ? { status: null, lastEventCreated: null, pastDueSince: null }
        : {}),
      updatedAt: now,
    })
    return { outcome: 'applied', notices: [] }
  }

  async #subscriptionChanged(
    tx: BillingStores,
    eventId: string,
    subscription: Stripe.Subscription,
    created: number,
    now: number,
  ): Promise<ProcessResult> {
    const found = await this.#findAccount(tx, {
      accountId: subscription.metadata?.[ACCOUNT_KEY],
      subscriptionId: subscription.id,
      customerId: idOf(subscription.customer),
    })
    if (!found) return this.#unmatched('subscription', subscription.id)
    const accountId = found.accountId
    const current = found.row ?? emptyRecord(accountId, now)
    if (
      current.stripeSubscriptionId &&
      current.stripeSubscriptionId !== subscription.id &&
      isLive(current.status)
    ) {
      return this.#secondSubscription(tx, current, subscription)
    }
    if (!shouldApply(current, subscription, created)) return { outcome: 'stale', notices: [] }
    const next = applySubscription(current, subscription, created, now)
    await tx.subscriptions.upsert(next)

    const before = entitlementOf(current, now, this.#graceDays)
    const after = entitlementOf(next, now, this.#graceDays)
    const notices: PendingNotice[] = []
    if (after.source === 'subscription' && before.source !== 'subscription') {
      const until = after.until
      notices.push({
        accountId,
        kind: 'premium_started',
        notice: {
          text:
            until !== null
              ? `Premium is active until ${formatDate(until)}. Thank you for subscribing!`
              : 'Premium is active. Thank you for subscribing!',
        },
      })
      await this.#emails?.premiumStarted(
        tx,
        accountId,
        { ...priceInfo(subscription), until },
        `premium-started:${eventId}`,
      )
    } else if (
      after.tier === 'free' &&
      // A grace period that ran out without an event still counts as ending here.
      (before.tier === 'premium' || (current.status === 'past_due' && next.status !== 'past_due'))
    ) {
      notices.push({
        accountId,
        kind: 'premium_ended',
        notice: { text: 'Your premium has ended. Use /subscribe any time to start it again.' },
      })
      await this.#emails?.premiumEnded(tx, accountId, `premium-ended:${eventId}`)
    }
    return { outcome: 'applied', notices }
  }

  /**
   * Another subscription of an account whose first one is live (two checkout links paid):
   * premium keeps following the first, the second stays reachable in the customer's portal
   * (one customer per account), and the operator is told once per pair.
   */
  async #secondSubscription(
    tx: BillingStores,
    current: SubscriptionRecord,
    subscription: Stripe.Subscription,
  ): Promise<ProcessResult> {
    if (!isLive(subscription.status)) return { outcome: 'ignored', notices: [] }
    const subscriptionIds = [current.stripeSubscriptionId ?? '', subscription.id]
    this.#log.warn(
      { accountId: current.accountId, subscriptionIds },
      'account pays for a second live subscription; premium follows the first, admin told',
    )
    await this.#emails?.adminDuplicateSubscription(
      tx,
      {
        accountId: current.accountId,
        customerId: idOf(subscription.customer) ?? current.stripeCustomerId,
        subscriptionIds,
      },
      `duplicate-subscription:${[...subscriptionIds].sort().join(':')}`,
    )
    return { outcome: 'applied', notices: [] }
  }

  #invoiceHints(invoice: Stripe.Invoice) {
    const details = invoice.parent?.subscription_details
    return {
      accountId: details?.metadata?.[ACCOUNT_KEY],
      subscriptionId: idOf(details?.subscription),
      customerId: idOf(invoice.customer),
    }
  }

  async #invoicePaid(
    tx: BillingStores,
    invoice: Stripe.Invoice,
    now: number,
  ): Promise<ProcessResult> {
    const hints = this.#invoiceHints(invoice)
    const found = await this.#findAccount(tx, hints)
    if (!found) return this.#unmatched('invoice', invoice.id)
    const accountId = found.accountId
    const current = found.row ?? emptyRecord(accountId, now)
    const lineEnds = (invoice.lines?.data ?? []).map((line) => line.period?.end ?? 0)
    const paidUntil = lineEnds.length > 0 ? Math.max(...lineEnds) * 1000 : 0
    const sameSubscription =
      hints.subscriptionId !== null && hints.subscriptionId === current.stripeSubscriptionId
    if (sameSubscription && paidUntil > (current.currentPeriodEnd ?? 0)) {
      await tx.subscriptions.upsert({ ...current, currentPeriodEnd: paidUntil, updatedAt: now })
    }
    if (invoice.amount_paid > 0) {
      await tx.subscriptions.recordPayment(invoice.amount_paid, invoice.currency, now)
    }
    if (invoice.billing_reason === 'subscription_create' && invoice.id) {
      await this.#emails?.adminNewSubscriber(
        tx,
        { accountId, amount: invoice.amount_paid, currency: invoice.currency },
        `admin-new-subscriber:${invoice.id}`,
      )
    }
    return { outcome: 'applied', notices: [] }
  }

  async #invoiceFailed(
    tx: BillingStores,
    invoice: Stripe.Invoice,
    created: number,
    now: number,
  ): Promise<ProcessResult> {
    const found = await this.#findAccount(tx, this.#invoiceHints(invoice))
    if (!found) return this.#unmatched('invoice', invoice.id)
    const accountId = found.accountId
    const current = found.row
    const graceEnd = (current?.pastDueSince ?? created * 1000) + this.#graceDays * DAY_MS
    const text =
      graceEnd > now
        ? `Your premium payment did not go through. Premium stays on until ${formatDate(graceEnd)} while we retry; use /billing to update your card.`
        : 'Your premium payment did not go through. Use /billing to update your card and keep premium.'
    await this.#emails?.paymentFailed(
      tx,
      accountId,
      { billingUrl: invoice.hosted_invoice_url ?? null },
      `payment-failed:${invoice.id ?? created}:${invoice.attempt_count}`,
    )
    return {
      outcome: 'applied',
      notices: [{ accountId, kind: 'payment_failed', notice: { text } }],
    }
  }

  async #chargeRefunded(tx: BillingStores, charge: Stripe.Charge): Promise<ProcessResult> {
    const accountId =
      (await this.#findAccount(tx, { customerId: idOf(charge.customer) }))?.accountId ?? null
    await tx.kv.set(
      `stripe-refund:${charge.id}`,
      JSON.stringify({ accountId, amount: charge.amount_refunded, currency: charge.currency }),
    )
    await this.#emails?.adminRefund(
      tx,
      { accountId, amount: charge.amount_refunded, currency: charge.currency, chargeId: charge.id },
      `admin-refund:${charge.id}:${charge.amount_refunded}`,
    )
    return { outcome: accountId ? 'applied' : 'unmatched', notices: [] }
  }

  #unmatched(kind: string, objectId: string | undefined): ProcessResult {
    this.#log.warn({ kind, objectId }, 'stripe event matches no account; recorded and skipped')
    return { outcome: 'unmatched', notices: [] }
  }
}
