import type { StarsEventInfo, StarsReceiptInfo } from './account-emails.js'
import {
  footer,
  layout,
  PRODUCT,
  type RenderedEmail,
  type TemplateContext,
} from './email-layout.js'
import { html } from './html.js'

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const stars = (n: number) => `${n} Telegram Star${n === 1 ? '' : 's'}`

/** The receipt for a Stars payment (first payment or renewal). */
export function starsReceiptEmail(ctx: TemplateContext, v: StarsReceiptInfo): RenderedEmail {
  const lead = v.renewal
    ? 'Your premium subscription renewed. Thank you!'
    : 'Thank you! Your premium subscription is active.'
  const text = [
    lead,
    `Paid: ${stars(v.amount)} for 30 days, through Telegram.`,
    `Premium lasts until ${day(v.until)} and renews automatically; /billing in Telegram manages it.`,
    `Payment id: ${v.chargeId}`,
  ].join('\n')
  const body = html`<p>${lead}</p>
<p>Paid: <strong>${stars(v.amount)}</strong> for 30 days, through Telegram.</p>
<p>Premium lasts until ${day(v.until)} and renews automatically; <code>/billing</code> in Telegram manages it.</p>
<p style="color:#888;font-size:12px">Payment id: <code>${v.chargeId}</code></p>`
  return {
    subject: v.renewal ? `Your ${PRODUCT} premium renewed` : `Your ${PRODUCT} premium is active`,
    text: text + footer(ctx),
    html: layout(ctx, v.renewal ? 'Premium renewed' : 'Premium is active', body),
  }
}

const TITLES: Record<StarsEventInfo['kind'], string> = {
  refund: 'Stars payment refunded',
  cancel: 'Stars subscription renewal canceled',
  resume: 'Stars subscription renewal re-enabled',
}

/** Tells the operator about a Stars refund or a renewal change. */
export function adminStarsEventEmail(ctx: TemplateContext, v: StarsEventInfo): RenderedEmail {
  const title = TITLES[v.kind]
  const amount = v.amount === null ? '' : ` (${stars(v.amount)})`
  const text = `${title}${amount}: account ${v.accountId}, payment ${v.chargeId}.`
  const body = html`<p>${title}${amount}: account <code>${v.accountId}</code>, payment <code>${v.chargeId}</code>.</p>`
  return {
    subject: `[${PRODUCT}] ${title}`,
    text: text + footer(ctx),
    html: layout(ctx, title, body),
  }
}
