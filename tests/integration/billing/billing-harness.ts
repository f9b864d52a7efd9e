import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { type Billing, createBilling } from '../../../src/billing/create-billing.js'
import { SubscriptionEntitlements } from '../../../src/billing/subscription-entitlements.js'
import type { OutgoingNotice } from '../../../src/core/types.js'
import type { AccountEmails, OutboxStores } from '../../../src/email/account-emails.js'
import { OutboxAccountEmails } from '../../../src/email/outbox-account-emails.js'
import { createServer } from '../../../src/server/app.js'
import { createDatabase, type DatabaseHandle } from '../../../src/storage/create-database.js'
import { migrateToLatest } from '../../../src/storage/migrate.js'
import type { SqlStores } from '../../../src/storage/sql-stores.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { deliverEvent, type Obj, StripeDouble } from '../../doubles/stripe-double.js'
import { silentLogger } from '../../helpers/logger.js'

export const SECRET_KEY = 'sk_test_double123'
export const WEBHOOK_SECRET = 'whsec_test_secret'
export const PRICE_ID = 'price_premium_monthly'
export const PUBLIC_URL = 'https://bots.example.com'
export const LINK_SECRET = 'x'.repeat(48)
export const DAY_MS = 86_400_000

/** AccountEmails that enqueue one outbox row per call through the stores it is given. */
export function recordingEmails(fail: () => boolean = () => false): AccountEmails {
  const enqueue = async (stores: OutboxStores, kind: string, to: string, key: string) => {
    if (fail()) throw new Error('outbox unavailable')
    await stores.outbox.enqueue({
      kind,
      to,
      subject: kind,
      text: kind,
      html: kind,
      dedupeKey: key,
      createdAt: 0,
    })
  }
  return {
    premiumStarted: (s, accountId, _info, key) => enqueue(s, 'premium-started', accountId, key),
    paymentFailed: (s, accountId, _info, key) => enqueue(s, 'payment-failed', accountId, key),
    premiumEnded: (s, accountId, key) => enqueue(s, 'premium-ended', accountId, key),
    adminNewSubscriber: (s, info, key) => enqueue(s, 'admin-new', info.accountId, key),
    adminDuplicateSubscription: (s, info, key) =>
      enqueue(s, 'admin-duplicate-subscription', info.accountId, key),
    adminRefund: (s, info, key) => enqueue(s, 'admin-refund', info.chargeId, key),
  }
}

/** Our server with billing over a SQLite file, against a Stripe double, with an injected clock. */
export class BillingHarness {
  clock = Date.parse('2026-11-26T08:00:00Z')
  readonly notices: { accountId: string; notice: OutgoingNotice }[] = []
  readonly dir = mkdtempSync(join(tmpdir(), 'billing-'))
  double!: StripeDouble
  handle!: DatabaseHandle
  stores!: SqlStores
  billing!: Billing
  app!: FastifyInstance
  entitlements!: SubscriptionEntitlements
  url = ''
  /** Makes every email call throw, as a crash in the middle of applying an event would. */
  failEmails = false
  registry = new Registry()

  readonly now = () => this.clock

  /** `outbox`: the email engineer's real OutboxAccountEmails instead of the recording fake. */
  emailsKind: 'recording' | 'outbox' = 'recording'

  static async start(options: { emails?: 'recording' | 'outbox' } = {}): Promise<BillingHarness> {
    const h = new BillingHarness()
    h.emailsKind = options.emails ?? 'recording'
    h.double = await StripeDouble.start({ secretKey: SECRET_KEY, now: h.now })
    await h.open()
    return h
  }

  /** Opens database, stores, billing and a listening server (again after `stopServer`). */
  async open(): Promise<void> {
    this.registry = new Registry()
    this.handle = createDatabase(join(this.dir, 'test.sqlite'))
    await migrateToLatest(this.handle.db, silentLogger())
    this.stores = createSqlStores(this.handle.db)
    this.entitlements = new SubscriptionEntitlements({ stores: this.stores }, { graceDays: 3 })
    this.billing = createBilling(
      {
        stores: this.stores,
        log: silentLogger(),
        registry: this.registry,
        now: this.now,
        emails:
          this.emailsKind === 'outbox'
            ? new OutboxAccountEmails(
                { log: silentLogger(), now: this.now },
                { publicUrl: PUBLIC_URL, adminEmail: 'ops@example.com' },
              )
            : recordingEmails(() => this.failEmails),
        notifier: {
          notifyAccount: async (accountId, notice) => {
            this.notices.push({ accountId, notice })
          },
        },
      },
      {
        secretKey: SECRET_KEY,
        webhookSecret: WEBHOOK_SECRET,
        priceId: PRICE_ID,
        apiUrl: this.double.url,
        publicUrl: PUBLIC_URL,
        linkSecret: LINK_SECRET,
        graceDays: 3,
      },
    )
    this.app = await createServer({
      log: pino({ level: 'silent' }),
      registry: this.registry,
      health: async () => [this.billing.health()],
      plugins: [{ plugin: this.billing.routes }],
    })
    await this.app.listen({ host: '127.0.0.1', port: 0 })
    const address = this.app.server.address()
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  }

  /** Closes server, billing and database (a process stopping). */
  async stop(): Promise<void> {
    await this.app.close()
    await this.billing.close()
    await this.handle.destroy()
  }

  async close(): Promise<void> {
    await this.stop()
    await this.double.close()
    rmSync(this.dir, { recursive: true, force: true })
  }

  async account(platformUserId = '42'): Promise<string> {
    const { account } = await this.stores.accounts.resolveIdentity(
      'telegram',
      platformUserId,
      'Ann',
      this.clock,
    )
    return account.id
  }

  /** GETs one of our public links on the local server without following redirects. */
  async visit(link: string): Promise<{ status: number; location: string | null; text: string }> {
    const path = link.slice(PUBLIC_URL.length)
    const response = await fetch(`${this.url}${path}`, {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    })
    return {
      status: response.status,
      location: response.headers.get('location'),
      text: await response.text(),
    }
  }

  deliver(event: Obj, options: { timestamp?: number; signature?: string; secret?: string } = {}) {
    return deliverEvent(`${this.url}/webhooks/stripe`, event, {
      secret: options.secret ?? WEBHOOK_SECRET,
      ...options,
    })
  }

  tier(accountId: string) {
    return this.entitlements.entitlement(accountId, this.clock)
  }

  /** Subscribes an account end to end up to the paid checkout; returns the Stripe ids. */
  async checkout(accountId: string) {
    const link = await this.billing.service.subscribeLink(accountId, this.clock)
    const opened = await this.visit(link)
    const sessionId = opened.location?.split('/pay/')[1]
    if (opened.status !== 303 || !sessionId) throw new Error(`checkout failed: ${opened.status}`)
    return { sessionId, ...this.double.pay(sessionId) }
  }
}
