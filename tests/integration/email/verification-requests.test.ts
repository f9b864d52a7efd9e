import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEmail } from '../../../src/email/create-email.js'
import { silentLogger } from '../../helpers/logger.js'
import { type EmailFixture, emailFixture } from './email-fixture.js'

const HOUR = 60 * 60 * 1000

describe('/verify requests', () => {
  let f: EmailFixture

  beforeEach(async () => {
    f = await emailFixture()
  })

  afterEach(async () => {
    await f.close()
  })

  const account = async (id: string, name = 'Ada') =>
    (await f.stores.accounts.resolveIdentity('discord', id, name, f.clock.now)).account.id

  it.each([
    'ada@example.com\r\nBcc: victim@example.org',
    'ada@example.com\nSubject: hi',
    'Ada <ada@example.com>',
    'ada@example.com, eve@example.org',
    'ada@exa mple.com',
    'ada@localhost',
    '"ada"@example.com',
    'ada@[127.0.0.1]',
    `${'a'.repeat(65)}@example.com`,
    `ada@${'a'.repeat(250)}.com`,
    '',
  ])('rejects %j without queueing anything', async (address) => {
    const id = await account('d-1')
    expect(await f.email.verification.start(id, address, f.clock.now)).toEqual({
      status: 'invalid_email',
    })
    expect(await f.stores.outbox.counts()).toEqual({ pending: 0, sent: 0, failed: 0 })
  })

  it('keeps a display name with CR/LF out of the headers', async () => {
    const id = await account('d-2', 'Eve\r\nBcc: victim@example.org\r\nX-Evil: 1')
    expect((await f.email.verification.start(id, 'eve@example.com', f.clock.now)).status).toBe(
      'sent',
    )
    await f.email.flushOutbox()
    const [mail] = f.smtp.messages
    expect(mail?.envelopeTo).toEqual(['eve@example.com'])
    expect(mail?.headers.has('bcc')).toBe(false)
    expect(mail?.headers.has('x-evil')).toBe(false)
    expect(mail?.text).toContain('Eve Bcc: victim@example.org X-Evil: 1 (Discord)')
  })

  it('refuses a sender or admin address that could inject headers', () => {
    const deps = { stores: f.stores, log: silentLogger(), registry: f.registry }
    const base = { smtpUrl: f.smtp.url, publicUrl: 'https://bots.example.com' }
    expect(() =>
      createEmail(deps, { ...base, from: 'Bot\r\nBcc: x@example.org <bot@example.com>' }),
    ).toThrow(/SMTP_FROM/)
    expect(() =>
      createEmail(deps, {
        ...base,
        from: 'bot@example.com',
        adminEmail: 'ops@example.com\nBcc: x@y.org',
      }),
    ).toThrow(/ADMIN_EMAIL/)
  })

  it('allows 3 requests per account per hour, then tells when to retry', async () => {
    const id = await account('d-3')
    for (const n of [1, 2, 3]) {
      const r = await f.email.verification.start(id, `ada${n}@example.com`, f.clock.now)
      expect(r.status).toBe('sent')
      f.clock.now += 10 * 60 * 1000
    }
    const limited = await f.email.verification.start(id, 'ada4@example.com', f.clock.now)
    // The first request (30 minutes ago) leaves the window in just over 30 minutes.
    expect(limited.status).toBe('rate_limited')
    const wait = limited.status === 'rate_limited' ? limited.retryAfterSeconds : 0
    expect(wait).toBeGreaterThanOrEqual(30 * 60)
    expect(wait).toBeLessThanOrEqual(30 * 60 + 1)
    expect(
      (await f.email.verification.start(id, 'ada4@example.com', f.clock.now + 29 * 60_000)).status,
    ).toBe('rate_limited')
    f.clock.now += wait * 1000
    expect((await f.email.verification.start(id, 'ada4@example.com', f.clock.now)).status).toBe(
      'sent',
    )
  })

  it('allows 3 requests per address per hour across accounts', async () => {
    for (const n of [1, 2, 3]) {
      const id = await account(`d-a${n}`)
      expect((await f.email.verification.start(id, 'target@example.com', f.clock.now)).status).toBe(
        'sent',
      )
    }
    const other = await account('d-a4')
    const limited = await f.email.verification.start(other, 'Target@Example.com', f.clock.now)
    expect(limited).toMatchObject({ status: 'rate_limited' })
    expect((await f.email.verification.start(other, 'mine@example.com', f.clock.now)).status).toBe(
      'sent',
    )
    f.clock.now += HOUR + 1
    expect(
      (await f.email.verification.start(other, 'target@example.com', f.clock.now)).status,
    ).toBe('sent')
  })
})
