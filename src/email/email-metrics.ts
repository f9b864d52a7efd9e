import { Counter, Gauge, type Registry } from 'prom-client'
import type { EmailOutboxStore, OutboxStatus } from './email-stores.js'

/** The `justlayme_email_*` metrics, registered on the registry the composition root passes in. */
export class EmailMetrics {
  readonly sent: Counter<'kind'>
  readonly failed: Counter<'kind'>
  readonly retried: Counter<'kind'>
  readonly smtpUp: Gauge

  constructor(deps: { registry: Registry; outbox: EmailOutboxStore }) {
    const registers = [deps.registry]
    this.sent = new Counter({
      name: 'justlayme_email_sent_total',
      help: 'Emails accepted by the SMTP server, by kind.',
      labelNames: ['kind'],
      registers,
    })
    this.failed = new Counter({
      name: 'justlayme_email_failed_total',
      help: 'Emails permanently rejected (5xx) and marked failed, by kind.',
      labelNames: ['kind'],
      registers,
    })
    this.retried = new Counter({
      name: 'justlayme_email_retries_total',
      help: 'Transient send failures scheduled for a retry, by kind.',
      labelNames: ['kind'],
      registers,
    })
    this.smtpUp = new Gauge({
      name: 'justlayme_email_smtp_up',
      help: '1 when the SMTP server accepted the last connection, else 0.',
      registers,
    })
    const outbox = deps.outbox
    new Gauge({
      name: 'justlayme_email_outbox_messages',
      help: 'Outbox messages by status.',
      labelNames: ['status'],
      registers,
      async collect() {
        try {
          const counts = await outbox.counts()
          for (const status of Object.keys(counts) as OutboxStatus[]) {
            this.set({ status }, counts[status])
          }
        } catch {
          // A scrape must not fail because the database is briefly unavailable.
        }
      },
    })
  }
}
