import { html, type SafeHtml, safeHref } from './html.js'

/** A rendered email: subjects hold no user-supplied text, HTML has every value escaped. */
export interface RenderedEmail {
  readonly subject: string
  readonly text: string
  readonly html: string
}

export type EmailKind =
  | 'verification'
  | 'welcome'
  | 'premium_started'
  | 'payment_failed'
  | 'premium_ended'
  | 'admin_new_subscriber'
  | 'admin_refund'
  | 'admin_ollama_unreachable'
  | 'stars_receipt'
  | 'admin_stars'

/** What every template knows about the deployment. */
export interface TemplateContext {
  /** PUBLIC_URL without a trailing slash. */
  readonly publicUrl: string
}

export const PRODUCT = 'JustLayMe'

export function layout(ctx: TemplateContext, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f6f6f8;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d1d1f">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:12px;padding:24px">
<h1 style="font-size:20px;margin:0 0 16px">${title}</h1>
${body}
<p style="margin-top:32px;color:#888;font-size:12px">${PRODUCT} · <a href="${safeHref(ctx.publicUrl)}" style="color:#888">${ctx.publicUrl}</a></p>
</div></body></html>`.value
}

export function button(url: string, label: string): SafeHtml {
  return html`<p style="margin:24px 0"><a href="${safeHref(url)}" style="background:#5b5bd6;color:#fff;padding:12px 20px;border-radius:8px;text-decoration:none;display:inline-block">${label}</a></p>`
}

export function footer(ctx: TemplateContext): string {
  return `\n\n-- \n${PRODUCT} · ${ctx.publicUrl}\n`
}

/** Formats an amount in the currency's minor unit (Stripe's convention), e.g. 999 usd → $9.99. */
export function formatMoney(amountMinor: number | null, currency: string | null): string {
  if (amountMinor === null || !Number.isFinite(amountMinor)) return 'an amount we could not read'
  if (!currency || !/^[A-Za-z]{3}$/.test(currency)) return String(amountMinor)
  try {
    const probe = new Intl.NumberFormat('en', {
      style: 'currency',
      currency: currency.toUpperCase(),
    })
    const digits = probe.resolvedOptions().maximumFractionDigits ?? 2
    return probe.format(amountMinor / 10 ** digits)
  } catch {
    return `${amountMinor} ${currency.toUpperCase()}`
  }
}

export function period(interval: string | null): string {
  switch (interval) {
    case 'day':
      return 'per day'
    case 'week':
      return 'per week'
    case 'month':
      return 'per month'
    case 'year':
      return 'per year'
    default:
      return interval ? `per ${interval}` : ''
  }
}

export function day(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString().slice(0, 10)
}
