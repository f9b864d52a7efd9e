import type { DuplicateSubscriptionInfo, NewSubscriberInfo, RefundInfo } from './account-emails.js'
import {
  footer,
  formatMoney,
  layout,
  PRODUCT,
  type RenderedEmail,
  type TemplateContext,
} from './email-layout.js'
import { html } from './html.js'

export function adminNewSubscriberEmail(ctx: TemplateContext, v: NewSubscriberInfo): RenderedEmail {
  const price = formatMoney(v.amount, v.currency)
  const text = `New subscriber: account ${v.accountId}, ${price}.`
  const body = html`<p>New subscriber: account <code>${v.accountId}</code>, ${price}.</p>`
  return {
    subject: `[${PRODUCT}] New subscriber`,
    text: text + footer(ctx),
    html: layout(ctx, 'New subscriber', body),
  }
}

export function adminDuplicateSubscriptionEmail(
  ctx: TemplateContext,
  v: DuplicateSubscriptionInfo,
): RenderedEmail {
  const ids = v.subscriptionIds.join(', ')
  const customer = v.customerId ?? 'unknown customer'
  const text = [
    `Account ${v.accountId} pays for ${v.subscriptionIds.length} live subscriptions (${ids}), customer ${customer}.`,
    'Premium follows the first one. The person can cancel the extra one in the Customer Portal (/billing), or refund and cancel it in the Stripe dashboard.',
  ].join('\n')
  const body = html`<p>Account <code>${v.accountId}</code> pays for <strong>${v.subscriptionIds.length} live subscriptions</strong> (<code>${ids}</code>), customer <code>${customer}</code>.</p>
<p>Premium follows the first one. The person can cancel the extra one in the Customer Portal (<code>/billing</code>), or refund and cancel it in the Stripe dashboard.</p>`
  return {
    subject: `[${PRODUCT}] Duplicate subscription`,
    text: text + footer(ctx),
    html: layout(ctx, 'Duplicate subscription', body),
  }
}

export function adminRefundEmail(ctx: TemplateContext, v: RefundInfo): RenderedEmail {
  const price = formatMoney(v.amount, v.currency)
  const account = v.accountId ?? 'unknown account'
  const text = `Refund of ${price} for ${account} (charge ${v.chargeId}).`
  const body = html`<p>Refund of <strong>${price}</strong> for <code>${account}</code> (charge <code>${v.chargeId}</code>).</p>`
  return {
    subject: `[${PRODUCT}] Refund issued`,
    text: text + footer(ctx),
    html: layout(ctx, 'Refund issued', body),
  }
}

export function adminOllamaUnreachableEmail(
  ctx: TemplateContext,
  v: { host: string; downForMs: number; since: number },
): RenderedEmail {
  const minutes = Math.floor(v.downForMs / 60_000)
  const since = new Date(v.since).toISOString()
  const text = [
    `The Ollama host ${v.host} has been unreachable for ${minutes} minutes (since ${since}).`,
    'People get "the model server is offline" until it is back. Check that Ollama is running and reachable.',
  ].join('\n')
  const body = html`<p>The Ollama host <code>${v.host}</code> has been unreachable for <strong>${minutes} minutes</strong> (since ${since}).</p>
<p>People get "the model server is offline" until it is back. Check that Ollama is running and reachable.</p>`
  return {
    subject: `[${PRODUCT}] Ollama unreachable for ${minutes} minutes`,
    text: text + footer(ctx),
    html: layout(ctx, 'Ollama unreachable', body),
  }
}
