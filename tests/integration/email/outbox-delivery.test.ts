import { Registry } from 'prom-client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEmail } from '../../../src/email/create-email.js'
import { startSmtpDouble } from '../../doubles/smtp-double.js'
import { capturingLogger } from '../../helpers/logger.js'
import { type EmailFixture, emailFixture } from './email-fixture.js'

async function enqueue(f: EmailFixture, n: number, to = 'reader@example.com') {
  for (let i = 0; i < n; i++) {
    await f.stores.outbox.enqueue({
      kind: 'test',
      to,
      subject: `message ${i}`,
      text: `body ${i}`,
      html: `<p>body ${i}</p>`,
      createdAt: f.clock.now,
    })
  }
}

async function metric(f: EmailFixture, name: string): Promise<number> {
  const json = await f.registry.getSingleMetric(name)?.get()
  return (json?.values ?? []).reduce((sum, v) => sum + v.value, 0)
}

describe('the outbox worker', () => {
  let f: EmailFixture

  beforeEach(async () => {
    f = await emailFixture()
  })

  afterEach(async () => {
    await f.close()
  })

  it('keeps every email while SMTP is down and delivers each exactly once when it is back', async () => {
    await f.email.start()
    expect(f.email.health()).toMatchObject({ name: 'mail', status: 'up' })
    await f.smtp.down()
    await enqueue(f, 3)

    const down = await f.email.flushOutbox()
    expect(down.sent).toBe(0)
    expect(f.email.health().status).toBe('down')
    f.clock.now += 10_000
    await f.email.flushOutbox()
    expect(await f.stores.outbox.counts()).toEqual({ pending: 3, sent: 0, failed: 0 })

    await f.smtp.up()
    f.clock.now += 1_000
    await f.email.flushOutbox()
    await f.email.flushOutbox()

    expect(f.email.health().status).toBe('up')
    expect(f.smtp.messages.map((m) => m.subject).sort()).toEqual([
      'message 0',
      'message 1',
      'message 2',
    ])
    expect(await f.stores.outbox.counts()).toEqual({ pending: 0, sent: 3, failed: 0 })
    f.clock.now += 24 * 60 * 60 * 1000
    await f.email.flushOutbox()
    expect(f.smtp.messages).toHaveLength(3)
    expect(await metric(f, 'justlayme_email_sent_total')).toBe(3)
  })

  it('delivers what was queued during an outage on its own once SMTP returns', async () => {
    await f.close()
    f = await emailFixture({ options: { workerIntervalMs: 20 } })
    await f.smtp.down()
    await f.email.start()
    expect(f.email.health().status).toBe('down')
    await enqueue(f, 4)
    await f.smtp.up()
    await f.smtp.waitForMessages(4)
    await f.email.close()
    expect(f.smtp.messages.map((m) => m.subject).sort()).toEqual([
      'message 0',
      'message 1',
      'message 2',
      'message 3',
    ])
    expect(await f.stores.outbox.counts()).toEqual({ pending: 0, sent: 4, failed: 0 })
  })

  it('marks a 5xx rejection failed, logs it, and still delivers the rest', async () => {
    f.smtp.rejectRecipient('nobody@example.com', 550)
    await enqueue(f, 1, 'nobody@example.com')
    await enqueue(f, 1, 'reader@example.com')

    const result = await f.email.flushOutbox()

    expect(result).toEqual({ sent: 1, retried: 0, failed: 1 })
    expect(await f.stores.outbox.counts()).toEqual({ pending: 0, sent: 1, failed: 1 })
    expect(f.smtp.messages.map((m) => m.envelopeTo)).toEqual([['reader@example.com']])
    const logged = f.logs.find((l) => l.msg === 'email rejected permanently')
    expect(logged).toMatchObject({ level: 50, kind: 'test' })
    expect(JSON.stringify(logged)).not.toContain('nobody@example.com')
    expect(await metric(f, 'justlayme_email_failed_total')).toBe(1)
    const scraped = await f.registry.metrics()
    expect(scraped).toContain('justlayme_email_outbox_messages{status="failed"} 1')
    expect(scraped).toContain('justlayme_email_smtp_up 1')
    // Failed messages are never tried again.
    f.clock.now += 2 * 60 * 60 * 1000
    await f.email.flushOutbox()
    expect(f.smtp.messages).toHaveLength(1)
  })

  it('retries a 4xx deferral with growing delays and delivers once accepted', async () => {
    f.smtp.rejectRecipient('busy@example.com', 451)
    await enqueue(f, 1, 'busy@example.com')

    expect(await f.email.flushOutbox()).toEqual({ sent: 0, retried: 1, failed: 0 })
    const [first] = await f.stores.outbox.due(f.clock.now + 10_000_000, 10)
    expect(first?.nextAttemptAt).toBe(f.clock.now + 1_000)
    expect(first?.lastError).toMatch(/451/)
    expect(f.email.health().status).toBe('up')

    f.clock.now += 1_000
    await f.email.flushOutbox()
    const [second] = await f.stores.outbox.due(f.clock.now + 10_000_000, 10)
    expect(second?.nextAttemptAt).toBe(f.clock.now + 2_000)
    // Not due yet: nothing is attempted.
    expect(await f.email.flushOutbox()).toEqual({ sent: 0, retried: 0, failed: 0 })

    f.smtp.clearRejections()
    f.clock.now += 2_000
    expect(await f.email.flushOutbox()).toEqual({ sent: 1, retried: 0, failed: 0 })
    expect(f.smtp.messages).toHaveLength(1)
  })

  it('reports mail down at start without throwing when SMTP is unreachable', async () => {
    await f.smtp.down()
    await expect(f.email.start()).resolves.toBeUndefined()
    expect(f.email.health()).toMatchObject({ status: 'down', essential: false })
    expect(f.logs.some((l) => l.level === 50 && l.msg.startsWith('SMTP connection failed'))).toBe(
      true,
    )
  })

  it('never logs the SMTP password when the login cannot work', async () => {
    const smtp = await startSmtpDouble({ auth: { user: 'mailer', pass: 'right-pw' } })
    const { log, lines } = capturingLogger()
    const email = createEmail(
      { stores: f.stores, log, registry: new Registry(), now: () => f.clock.now },
      {
        smtpUrl: `smtp://mailer:s3cr3t-pw@127.0.0.1:${smtp.port}?requireTLS=true&tls.rejectUnauthorized=false`,
        from: 'bot@justlay.me',
        publicUrl: 'https://bots.example.com',
        probeIntervalMs: 0,
      },
    )
    try {
      await email.start()
      await enqueue(f, 1)
      await email.flushOutbox()
      expect(email.health().status).toBe('down')
      expect(await f.stores.outbox.counts()).toMatchObject({ pending: 1, failed: 0 })
      expect(smtp.messages).toHaveLength(0)
      expect(lines.some((l) => l.level === 50)).toBe(true)
      expect(JSON.stringify(lines)).not.toContain('s3cr3t-pw')
    } finally {
      await email.close()
      await smtp.close()
    }
  })

  it('never sends a message twice when passes are requested concurrently', async () => {
    await enqueue(f, 3)
    await Promise.all([f.email.flushOutbox(), f.email.flushOutbox(), f.email.flushOutbox()])
    expect(f.smtp.messages.map((m) => m.subject).sort()).toEqual([
      'message 0',
      'message 1',
      'message 2',
    ])
    expect(new Set(f.smtp.messages.map((m) => m.messageId)).size).toBe(3)
  })

  it('finishes the in-flight send on close and sends nothing afterwards', async () => {
    await enqueue(f, 2)
    const pass = f.email.flushOutbox()
    await f.email.close()
    await pass
    const counts = await f.stores.outbox.counts()
    expect(counts.sent).toBe(f.smtp.messages.length)
    expect(counts.sent + counts.pending).toBe(2)
  })
})
