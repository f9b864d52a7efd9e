import { describe, expect, it } from 'vitest'
import {
  adminOllamaUnreachableEmail,
  adminRefundEmail,
} from '../../../src/email/admin-templates.js'
import { formatMoney } from '../../../src/email/email-layout.js'
import { html, rawHtml, safeHref } from '../../../src/email/html.js'
import {
  paymentFailedEmail,
  premiumStartedEmail,
  verificationEmail,
  welcomeEmail,
} from '../../../src/email/templates.js'
import { confirmPage, verifiedPage } from '../../../src/email/verification-pages.js'
import { escapeHtml } from '../../../src/shared/html.js'

const ctx = { publicUrl: 'https://bots.example.com' }
const EVIL = `<script>alert("x")</script>&'`

describe('html', () => {
  it('escapes every interpolated value', () => {
    expect(html`<p title="${EVIL}">${EVIL}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
    )
  })

  it('keeps nested templates and trusted markup as they are', () => {
    expect(
      html`<div>${html`<b>${'<i>'}</b>`}${rawHtml('<br>')}${null}${[1, '<']}</div>`.value,
    ).toBe('<div><b>&lt;i&gt;</b><br>1&lt;</div>')
  })

  it('turns anything but http(s) links into #', () => {
    expect(safeHref('javascript:alert(1)')).toBe('#')
    expect(safeHref('data:text/html,hi')).toBe('#')
    expect(safeHref('not a url')).toBe('#')
    expect(safeHref('https://bots.example.com/x?a=1')).toBe('https://bots.example.com/x?a=1')
  })

  it('escapes quotes for attributes', () => {
    expect(escapeHtml(`"'`)).toBe('&quot;&#39;')
  })
})

describe('email templates', () => {
  it('escapes a display name in the verification email and keeps it out of the subject', () => {
    const mail = verificationEmail(ctx, {
      link: 'https://bots.example.com/verify?token=abc',
      requestedBy: [{ platform: 'Discord', displayName: EVIL }],
    })
    expect(mail.subject).toBe('Confirm your email for JustLayMe')
    expect(mail.html).not.toContain('<script>')
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(mail.text).toContain(EVIL)
    expect(mail.html).toContain('href="https://bots.example.com/verify?token=abc"')
  })

  it('escapes the address in the welcome email', () => {
    const mail = welcomeEmail(ctx, { email: "o'brien<x>@example.ie", merged: true })
    expect(mail.html).toContain('o&#39;brien&lt;x&gt;@example.ie')
    expect(mail.text).toContain('now one')
  })

  it('shows amount and period when premium starts', () => {
    const mail = premiumStartedEmail(ctx, {
      amount: 1299,
      currency: 'eur',
      interval: 'year',
      until: Date.UTC(2027, 0, 2),
    })
    expect(mail.text).toContain('€12.99 per year')
    expect(mail.text).toContain('2027-01-02')
  })

  it('never links a payment-failed email to a non-http URL', () => {
    const mail = paymentFailedEmail(ctx, { billingUrl: 'javascript:alert(1)' })
    expect(mail.html).not.toContain('javascript:')
  })

  it('escapes operator values', () => {
    expect(
      adminRefundEmail(ctx, { accountId: '<a>', amount: 100, currency: 'usd', chargeId: 'ch"1' })
        .html,
    ).toContain('&lt;a&gt;')
    expect(
      adminOllamaUnreachableEmail(ctx, { host: 'http://<h>', downForMs: 360_000, since: 0 }).html,
    ).toContain('http://&lt;h&gt;')
  })

  it('formats money in the minor unit of each currency', () => {
    expect(formatMoney(999, 'usd')).toBe('$9.99')
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500')
    expect(formatMoney(1234, 'bhd')).toMatch(/^BHD\s1\.234$/)
    expect(formatMoney(null, 'usd')).toBe('an amount we could not read')
    expect(formatMoney(500, 'x<y')).toBe('500')
  })
})

describe('verification pages', () => {
  it('escape the address and token', () => {
    const page = confirmPage(EVIL, '"><script>')
    expect(page.body).not.toContain('<script>')
    expect(page.body).toContain('value="&quot;&gt;&lt;script&gt;"')
    expect(verifiedPage(EVIL, false).body).not.toContain('<script>')
  })
})
