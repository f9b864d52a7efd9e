import { afterEach, describe, expect, it } from 'vitest'
import { MailHealth } from '../../../src/email/mail-health.js'
import { type MailTransport, SmtpTransport } from '../../../src/email/mail-transport.js'
import { OutboxWorker } from '../../../src/email/outbox-worker.js'
import { SqlEmailOutboxStore } from '../../../src/storage/sql-email-outbox-store.js'
import { type SmtpDouble, startSmtpDouble } from '../../doubles/smtp-double.js'
import { silentLogger } from '../../helpers/logger.js'
import { openReplicas, type TestReplicaSet } from './replicas.js'

const url = process.env.TEST_DATABASE_URL
const MAILS = 200

describe.skipIf(!url)('the email outbox shared by replicas on PostgreSQL', () => {
  let set: TestReplicaSet | undefined
  let smtp: SmtpDouble | undefined
  const transports: MailTransport[] = []

  afterEach(async () => {
    for (const t of transports.splice(0)) t.close()
    await smtp?.close()
    await set?.close()
  })

  it('delivers 200 mails exactly once while one of two replicas dies mid-way', async () => {
    smtp = await startSmtpDouble()
    set = await openReplicas(2)
    const [a, b] = set.replicas
    if (!a || !b) throw new Error('two replicas expected')
    const outboxA = new SqlEmailOutboxStore(a.database.db)
    const outboxB = new SqlEmailOutboxStore(b.database.db)
    for (let i = 0; i < MAILS; i++) {
      await outboxA.enqueue({
        kind: 'test',
        to: `person${i}@example.com`,
        subject: `mail ${i}`,
        text: `mail ${i}`,
        html: `<p>mail ${i}</p>`,
        createdAt: 1_000,
      })
    }
    const from = { name: 'JustLayMe', address: 'bot@justlay.me' }
    const real = new SmtpTransport({ smtpUrl: smtp.url, from })
    transports.push(real)
    // Replica A sends 30 mails, then freezes with a claimed batch in hand (as if killed).
    let sentByA = 0
    const dying: MailTransport = {
      send: (mail) => (++sentByA > 30 ? new Promise<never>(() => {}) : real.send(mail)),
      verify: () => real.verify(),
      close: () => {},
    }
    const worker = (outbox: SqlEmailOutboxStore, transport: MailTransport) =>
      new OutboxWorker(
        { outbox, transport, health: new MailHealth(), log: silentLogger(), now: () => 2_000 },
        { messageIdDomain: 'justlay.me', batchSize: 20, claimLeaseMs: 1_500 },
      )
    const workerA = worker(outboxA, dying)
    const workerB = worker(outboxB, real)
    void (async () => {
      while (sentByA <= 30) await workerA.runOnce()
    })()
    const deadline = Date.now() + 60_000
    while (smtp.messages.length < MAILS && Date.now() < deadline) {
      const result = await workerB.runOnce()
      if (result.sent === 0) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await smtp.waitForMessages(MAILS, 10_000)
    const subjects = smtp.messages.map((m) => m.subject)
    expect(subjects).toHaveLength(MAILS)
    expect(new Set(subjects).size).toBe(MAILS)
    expect(sentByA).toBeGreaterThan(30)
    expect((await outboxB.counts()).sent).toBe(MAILS)
  }, 90_000)
})
