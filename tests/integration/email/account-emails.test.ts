import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type EmailFixture, emailFixture, START } from './email-fixture.js'

describe('account and operator emails', () => {
  let f: EmailFixture
  let accountId: string

  beforeEach(async () => {
    f = await emailFixture({ options: { adminEmail: 'Ops Team <ops@example.com>' } })
    accountId = (await f.stores.accounts.resolveIdentity('telegram', 't-1', 'Ada', f.clock.now))
      .account.id
  })

  afterEach(async () => {
    await f.close()
  })

  const verifyDirectly = () =>
    f.stores.accounts.setEmailVerified(accountId, 'ada@example.com', f.clock.now)

  it('sends nothing to an account without a verified email', async () => {
    await f.email.emails.premiumStarted(
      f.stores,
      accountId,
      { amount: 999, currency: 'usd', interval: 'month', until: null },
      'e1',
    )
    await f.email.emails.paymentFailed(f.stores, accountId, { billingUrl: null }, 'e2')
    await f.email.emails.premiumEnded(f.stores, accountId, 'e3')
    expect(await f.stores.outbox.counts()).toEqual({ pending: 0, sent: 0, failed: 0 })
  })

  it('tells the person premium started with the amount and period, once per event', async () => {
    await verifyDirectly()
    const info = { amount: 999, currency: 'usd', interval: 'month', until: START + 30 * 86_400_000 }
    await f.stores.transaction(async (s) => {
      await f.email.emails.premiumStarted(s, accountId, info, 'premium-started:evt_1')
    })
    await f.email.emails.premiumStarted(f.stores, accountId, info, 'premium-started:evt_1')
    await f.email.flushOutbox()
    expect(f.smtp.messages).toHaveLength(1)
    const [mail] = f.smtp.messages
    expect(mail?.envelopeTo).toEqual(['ada@example.com'])
    expect(mail?.subject).toBe('Your JustLayMe premium is active')
    expect(mail?.text).toContain('$9.99 per month')
    expect(mail?.html).toContain('$9.99 per month')
    expect(mail?.text).toContain('2026-12-26')
  })

  it('writes nothing when the surrounding transaction rolls back', async () => {
    await verifyDirectly()
    await expect(
      f.stores.transaction(async (s) => {
        await f.email.emails.premiumEnded(s, accountId, 'ended:evt_2')
        throw new Error('webhook handling failed')
      }),
    ).rejects.toThrow('webhook handling failed')
    expect(await f.stores.outbox.counts()).toEqual({ pending: 0, sent: 0, failed: 0 })
  })

  it('links to billing when a payment fails', async () => {
    await verifyDirectly()
    await f.email.emails.paymentFailed(
      f.stores,
      accountId,
      { billingUrl: 'https://bots.example.com/billing/abc' },
      'pf:1',
    )
    await f.email.emails.premiumEnded(f.stores, accountId, 'end:1')
    await f.email.flushOutbox()
    const [failed, ended] = f.smtp.messages
    expect(failed?.text).toContain('https://bots.example.com/billing/abc')
    expect(failed?.html).toContain('href="https://bots.example.com/billing/abc"')
    expect(ended?.subject).toBe('Your JustLayMe premium has ended')
  })

  it('mails ADMIN_EMAIL about new subscribers and refunds', async () => {
    await f.email.emails.adminNewSubscriber(
      f.stores,
      { accountId, amount: 500, currency: 'eur' },
      'admin-sub:1',
    )
    await f.email.emails.adminRefund(
      f.stores,
      { accountId: null, amount: 1500, currency: 'jpy', chargeId: 'ch_<b>1' },
      'admin-refund:1',
    )
    await f.email.flushOutbox()
    const [sub, refund] = f.smtp.messages
    expect(sub?.envelopeTo).toEqual(['ops@example.com'])
    expect(sub?.text).toContain('€5.00')
    expect(refund?.text).toContain('¥1,500')
    expect(refund?.html).toContain('ch_&lt;b&gt;1')
  })

  it('mails ADMIN_EMAIL once per Ollama outage longer than five minutes', async () => {
    const host = 'http://gpu-1:11434'
    await f.email.notifyOllamaUnreachable(host, 4 * 60_000)
    expect((await f.stores.outbox.counts()).pending).toBe(0)
    await f.email.notifyOllamaUnreachable(host, 5 * 60_000 + 1)
    f.clock.now += 60_000
    await f.email.notifyOllamaUnreachable(host, 6 * 60_000 + 1)
    expect((await f.stores.outbox.counts()).pending).toBe(1)
    // A later, separate outage is reported again.
    f.clock.now += 60 * 60_000
    await f.email.notifyOllamaUnreachable(host, 10 * 60_000)
    await f.email.flushOutbox()
    expect(f.smtp.messages.map((m) => m.subject)).toEqual([
      '[JustLayMe] Ollama unreachable for 5 minutes',
      '[JustLayMe] Ollama unreachable for 10 minutes',
    ])
    expect(f.smtp.messages[0]?.text).toContain(host)
  })
})

describe('operator emails without ADMIN_EMAIL', () => {
  it('are skipped', async () => {
    const f = await emailFixture()
    try {
      await f.email.emails.adminNewSubscriber(
        f.stores,
        { accountId: 'a', amount: 1, currency: 'usd' },
        'k1',
      )
      await f.email.notifyOllamaUnreachable('http://gpu-1:11434', 60 * 60_000)
      expect(await f.stores.outbox.counts()).toEqual({ pending: 0, sent: 0, failed: 0 })
    } finally {
      await f.close()
    }
  })
})
