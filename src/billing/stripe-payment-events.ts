import type Stripe from 'stripe'
import { DAY_MS } from './entitlement-rule.js'
import {
  ACCOUNT_KEY,
  findAccount,
  formatDate,
  type ProcessResult,
  type StripeEventContext,
  unmatched,
} from './stripe-event-context.js'
import { emptyRecord, idOf } from './subscription-state.js'

function invoiceHints(invoice: Stripe.Invoice) {
  const details = invoice.parent?.subscription_details
  return {
    accountId: details?.metadata?.[ACCOUNT_KEY],
    subscriptionId: idOf(details?.subscription),
    customerId: idOf(invoice.customer),
  }
}

export async function invoicePaid(
  ctx: StripeEventContext,
  invoice: Stripe.Invoice,
  now: number,
): Promise<ProcessResult> {
  const { tx } = ctx
  const hints = invoiceHints(invoice)
  const found = await findAccount(ctx, hints)
  if (!found) return unmatched(ctx, 'invoice', invoice.id)
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
    await ctx.emails?.adminNewSubscriber(
      tx,
      { accountId, amount: invoice.amount_paid, currency: invoice.currency },
      `admin-new-subscriber:${invoice.id}`,
    )
  }
  return { outcome: 'applied', notices: [] }
}

export async function invoiceFailed(
  ctx: StripeEventContext,
  invoice: Stripe.Invoice,
  created: number,
  now: number,
): Promise<ProcessResult> {
  const found = await findAccount(ctx, invoiceHints(invoice))
  if (!found) return unmatched(ctx, 'invoice', invoice.id)
  const accountId = found.accountId
  const current = found.row
  const graceEnd = (current?.pastDueSince ?? created * 1000) + ctx.graceDays * DAY_MS
  const text =
    graceEnd > now
      ? `Your premium payment did not go through. Premium stays on until ${formatDate(graceEnd)} while we retry; use /billing to update your card.`
      : 'Your premium payment did not go through. Use /billing to update your card and keep premium.'
  await ctx.emails?.paymentFailed(
    ctx.tx,
    accountId,
    { billingUrl: invoice.hosted_invoice_url ?? null },
    `payment-failed:${invoice.id ?? created}:${invoice.attempt_count}`,
  )
  return {
    outcome: 'applied',
    notices: [{ accountId, kind: 'payment_failed', notice: { text } }],
  }
}

export async function chargeRefunded(
  ctx: StripeEventContext,
  charge: Stripe.Charge,
): Promise<ProcessResult> {
  const accountId =
    (await findAccount(ctx, { customerId: idOf(charge.customer) }))?.accountId ?? null
  await ctx.tx.kv.set(
    `stripe-refund:${charge.id}`,
    JSON.stringify({ accountId, amount: charge.amount_refunded, currency: charge.currency }),
  )
  await ctx.emails?.adminRefund(
    ctx.tx,
    { accountId, amount: charge.amount_refunded, currency: charge.currency, chargeId: charge.id },
    `admin-refund:${charge.id}:${charge.amount_refunded}`,
  )
  return { outcome: accountId ? 'applied' : 'unmatched', notices: [] }
}
