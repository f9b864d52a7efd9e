import type { PaymentFailedInfo, PremiumStartedInfo } from './account-emails.js'
import {
  button,
  day,
  footer,
  formatMoney,
  layout,
  PRODUCT,
  period,
  type RenderedEmail,
  type TemplateContext,
} from './email-layout.js'
import { html } from './html.js'

export function verificationEmail(
  ctx: TemplateContext,
  v: { link: string; requestedBy: readonly { platform: string; displayName: string }[] },
): RenderedEmail {
  const who = v.requestedBy.map((r) => `${r.displayName} (${r.platform})`).join(', ')
  const subject = `Confirm your email for ${PRODUCT}`
  const text = [
    `Someone${who ? ` (${who})` : ''} asked to link this address to their ${PRODUCT} account.`,
    '',
    'To confirm, open this link and press the button:',
    v.link,
    '',
    'The link works once and expires in 24 hours. If this was not you, ignore this email.',
  ].join('\n')
  const body = html`<p>Someone${who ? html` (<strong>${who}</strong>)` : ''} asked to link this address to their ${PRODUCT} account.</p>
<p>To confirm, open the link and press the button on the page:</p>
${button(v.link, 'Confirm my email')}
<p style="font-size:13px;color:#555">Or copy this link: <br><span style="word-break:break-all">${v.link}</span></p>
<p style="font-size:13px;color:#555">The link works once and expires in 24 hours. If this was not you, ignore this email.</p>`
  return { subject, text: text + footer(ctx), html: layout(ctx, 'Confirm your email', body) }
}

export function welcomeEmail(
  ctx: TemplateContext,
  v: { email: string; merged: boolean },
): RenderedEmail {
  const linked = v.merged
    ? 'Your Discord and Telegram accounts are now one: one subscription, one set of personas and one memory.'
    : 'If you verify the same address from the other platform (Discord or Telegram), both become one account.'
  const text = [
    `Welcome to ${PRODUCT}!`,
    '',
    `Your email ${v.email} is verified.`,
    linked,
    '',
    'Chat with any persona with /personas, and see your plan with /status.',
  ].join('\n')
  const body = html`<p>Your email <strong>${v.email}</strong> is verified.</p>
<p>${linked}</p>
<p>Chat with any persona with <code>/personas</code>, and see your plan with <code>/status</code>.</p>`
  return {
    subject: `Welcome to ${PRODUCT}`,
    text: text + footer(ctx),
    html: layout(ctx, `Welcome to ${PRODUCT}`, body),
  }
}

export function premiumStartedEmail(ctx: TemplateContext, v: PremiumStartedInfo): RenderedEmail {
  const price =
    v.amount === null ? null : `${formatMoney(v.amount, v.currency)} ${period(v.interval)}`.trim()
  const until = day(v.until)
  const text = [
    'Thank you! Your premium subscription is active.',
    price ? `Price: ${price}.` : null,
    until ? `Current period ends on ${until} and renews automatically.` : null,
    '',
    'Premium personas, longer memory and a higher daily limit are unlocked on Discord and Telegram.',
  ]
    .filter((l) => l !== null)
    .join('\n')
  const body = html`<p>Thank you! Your premium subscription is active.</p>
${price ? html`<p>Price: <strong>${price}</strong>.</p>` : ''}
${until ? html`<p>Current period ends on ${until} and renews automatically.</p>` : ''}
<p>Premium personas, longer memory and a higher daily limit are unlocked on Discord and Telegram.</p>`
  return {
    subject: `Your ${PRODUCT} premium is active`,
    text: text + footer(ctx),
    html: layout(ctx, 'Premium is active', body),
  }
}

export function paymentFailedEmail(ctx: TemplateContext, v: PaymentFailedInfo): RenderedEmail {
  const text = [
    'We could not charge your payment method for your premium subscription.',
    'Premium stays on for a few days while we retry.',
    v.billingUrl
      ? `Update your payment method here: ${v.billingUrl}`
      : 'Run /billing in the bot to update your payment method.',
  ].join('\n')
  const body = html`<p>We could not charge your payment method for your premium subscription.</p>
<p>Premium stays on for a few days while we retry.</p>
${v.billingUrl ? button(v.billingUrl, 'Update payment method') : html`<p>Run <code>/billing</code> in the bot to update your payment method.</p>`}`
  return {
    subject: `Payment failed for your ${PRODUCT} premium`,
    text: text + footer(ctx),
    html: layout(ctx, 'Payment failed', body),
  }
}

export function premiumEndedEmail(ctx: TemplateContext): RenderedEmail {
  const text = [
    'Your premium subscription has ended. You are on the free plan now.',
    'Your conversations and memory are kept. Run /subscribe any time to come back.',
  ].join('\n')
  const body = html`<p>Your premium subscription has ended. You are on the free plan now.</p>
<p>Your conversations and memory are kept. Run <code>/subscribe</code> any time to come back.</p>`
  return {
    subject: `Your ${PRODUCT} premium has ended`,
    text: text + footer(ctx),
    html: layout(ctx, 'Premium ended', body),
  }
}
