import type { FastifyPluginAsync } from 'fastify'
import type { Registry } from 'prom-client'
import type { Clock } from '../core/ports/clock.js'
import type { Logger } from '../core/ports/logger.js'
import type { Notifier } from '../core/ports/messenger.js'
import type { ComponentHealth } from '../core/types.js'
import type { AccountEmails } from './account-emails.js'
import { parseMailbox } from './address.js'
import { EmailMetrics } from './email-metrics.js'
import type { EmailStores } from './email-stores.js'
import { emailVerificationRoutes } from './email-verification-routes.js'
import { EmailVerificationService } from './email-verification-service.js'
import { MailHealth } from './mail-health.js'
import { classifySendError, type MailTransport, SmtpTransport } from './mail-transport.js'
import { OllamaOutageAlerts } from './ollama-outage-alerts.js'
import { OutboxAccountEmails } from './outbox-account-emails.js'
import { type OutboxRunResult, OutboxWorker } from './outbox-worker.js'

export interface EmailDeps {
  readonly stores: EmailStores
  readonly log: Logger
  readonly registry: Registry
  /** Tells people in chat when their accounts were linked. */
  readonly notifier?: Notifier | undefined
  readonly now?: Clock | undefined
}

export interface EmailOptions {
  /** SMTP_URL */
  readonly smtpUrl: string
  /** SMTP_FROM, `Name <address>` or a bare address. */
  readonly from: string
  /** ADMIN_EMAIL; operator mails are skipped without it. */
  readonly adminEmail?: string | undefined
  /** PUBLIC_URL, the base of verification links. */
  readonly publicUrl: string
  /** Outbox poll interval (default 5 s). */
  readonly workerIntervalMs?: number | undefined
  /** How long a claimed batch of mails stays this process's (`REPLICA_TIMEOUT_MS`). */
  readonly claimLeaseMs?: number | undefined
  /** First retry delay (default 5 s; doubles up to `retryMaxMs`, default 1 h). */
  readonly retryBaseMs?: number | undefined
  readonly retryMaxMs?: number | undefined
  /** How often a down SMTP server is re-checked (default 30 s). */
  readonly probeIntervalMs?: number | undefined
  /** Requests per IP per minute on `/verify` (default 20). */
  readonly routeRateLimitMax?: number | undefined
}

export interface Email {
  /** What the `/verify <email>` command calls. */
  readonly verification: EmailVerificationService
  /** Billing enqueues its emails through this, inside its own transactions. */
  readonly emails: AccountEmails
  /** GET/POST `/verify`; register with `createServer({ plugins: [{ plugin: email.routes }] })`. */
  readonly routes: FastifyPluginAsync
  /** Checks the SMTP connection (logs up/down, never throws) and starts the outbox worker. */
  start(): Promise<void>
  health(): ComponentHealth
  /** Stops the worker after its in-flight send and closes the SMTP pool. */
  close(): Promise<void>
  /** Mails ADMIN_EMAIL once per outage longer than 5 minutes. Never throws. */
  notifyOllamaUnreachable(host: string, downForMs: number): Promise<void>
  /** One outbox pass now (tests, `/admin`); passes never overlap with the worker's. */
  flushOutbox(): Promise<OutboxRunResult>
}

/**
 * Builds the email subsystem: pooled SMTP transport, outbox worker, verification service,
 * account emails and the `/verify` routes. Throws at once when SMTP_FROM or ADMIN_EMAIL
 * cannot be used as an address.
 */
export function createEmail(deps: EmailDeps, options: EmailOptions): Email {
  const log = deps.log.child({ component: 'email' })
  const now = deps.now ?? Date.now
  const from = parseMailbox(options.from)
  if (!from) throw new Error('SMTP_FROM is not a usable address, e.g. JustLayMe <bot@example.com>')
  let adminEmail: string | undefined
  if (options.adminEmail !== undefined) {
    adminEmail = parseMailbox(options.adminEmail)?.address
    if (!adminEmail) throw new Error('ADMIN_EMAIL is not a usable address, e.g. ops@example.com')
  }
  const publicUrl = options.publicUrl.replace(/\/+$/, '')

  const metrics = new EmailMetrics({ registry: deps.registry, outbox: deps.stores.outbox })
  const health = new MailHealth((up) => metrics.smtpUp.set(up ? 1 : 0))
  const transport: MailTransport = new SmtpTransport({ smtpUrl: options.smtpUrl, from })
  const worker = new OutboxWorker(
    { outbox: deps.stores.outbox, transport, health, log, metrics, now },
    {
      intervalMs: options.workerIntervalMs,
      claimLeaseMs: options.claimLeaseMs,
      retryBaseMs: options.retryBaseMs,
      retryMaxMs: options.retryMaxMs,
      probeIntervalMs: options.probeIntervalMs,
      messageIdDomain: from.address.slice(from.address.indexOf('@') + 1),
    },
  )
  const onEnqueued = () => worker.wake()
  const verification = new EmailVerificationService(
    { stores: deps.stores, log, notifier: deps.notifier, onEnqueued },
    { publicUrl },
  )
  const emails = new OutboxAccountEmails({ log, now }, { publicUrl, adminEmail })
  const alerts = new OllamaOutageAlerts(
    { stores: deps.stores, emails, log, now, onEnqueued },
    { publicUrl },
  )
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(emailVerificationRoutes, {
      verifier: verification,
      now,
      rateLimitMax: options.routeRateLimitMax,
    })
  }

  return {
    verification,
    emails,
    routes,
    async start() {
      try {
        await transport.verify()
        health.markUp()
        log.info('SMTP connection verified')
      } catch (err) {
        const failure = classifySendError(err)
        health.markDown(failure.reason)
        log.error({ reason: failure.reason }, 'SMTP connection failed; emails wait in the outbox')
      }
      worker.start()
    },
    health: () => health.health(),
    async close() {
      await worker.stop()
      transport.close()
    },
    notifyOllamaUnreachable: (host, downForMs) => alerts.notifyUnreachable(host, downForMs),
    flushOutbox: () => worker.runOnce(),
  }
}
