import { Registry } from 'prom-client'
import type { Notifier } from '../../../src/core/ports/messenger.js'
import { createEmail, type Email, type EmailOptions } from '../../../src/email/create-email.js'
import type { SqlStores } from '../../../src/storage/sql-stores.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { type SmtpDouble, startSmtpDouble } from '../../doubles/smtp-double.js'
import { createTestDatabase } from '../../helpers/database.js'
import { type CapturedLog, capturingLogger } from '../../helpers/logger.js'

export const PUBLIC_URL = 'https://bots.example.com'
export const START = Date.UTC(2026, 10, 26, 8, 0, 0)

export interface EmailFixture {
  readonly stores: SqlStores
  readonly smtp: SmtpDouble
  readonly email: Email
  readonly registry: Registry
  readonly logs: CapturedLog[]
  /** The injected clock; tests move it forward. */
  readonly clock: { now: number }
  close(): Promise<void>
}

/** Real SQLite stores, a real SMTP server on loopback, and the email subsystem between them. */
export async function emailFixture(
  setup: { notifier?: Notifier; options?: Partial<EmailOptions> } = {},
): Promise<EmailFixture> {
  const handle = await createTestDatabase('sqlite')
  const stores = createSqlStores(handle.db)
  const smtp = await startSmtpDouble()
  const clock = { now: START }
  const registry = new Registry()
  const { log, lines } = capturingLogger()
  const email = createEmail(
    { stores, log, registry, notifier: setup.notifier, now: () => clock.now },
    {
      smtpUrl: smtp.url,
      from: 'JustLayMe <bot@justlay.me>',
      publicUrl: PUBLIC_URL,
      // Tests drive the outbox with flushOutbox(); the poller stays out of the way.
      workerIntervalMs: 60_000,
      retryBaseMs: 1_000,
      probeIntervalMs: 0,
      ...setup.options,
    },
  )
  return {
    stores,
    smtp,
    email,
    registry,
    logs: lines,
    clock,
    async close() {
      await email.close()
      await smtp.close()
      await handle.destroy()
    },
  }
}

/** The token inside the link of a verification email. */
export function tokenFrom(text: string): string {
  const m = /\/verify\?token=([A-Za-z0-9_-]+)/.exec(text)
  if (!m?.[1]) throw new Error('no verification link in the email')
  return m[1]
}
