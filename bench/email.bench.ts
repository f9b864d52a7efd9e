import { performance } from 'node:perf_hooks'
import Fastify from 'fastify'
import nodemailer from 'nodemailer'
import { Registry } from 'prom-client'
import { createEmail } from '../src/email/create-email.js'
import { createSqlStores } from '../src/storage/sql-stores.js'
import { startSmtpDouble } from '../tests/doubles/smtp-double.js'
import { createTestDatabase } from '../tests/helpers/database.js'
import { silentLogger } from '../tests/helpers/logger.js'
import { startInstantSmtp } from './helpers/instant-smtp.js'
import { type BenchResult, percentile } from './types.js'

const MESSAGES = 100
const VERIFICATIONS = 200

/**
 * Outbox delivery through the pooled transport against one fresh SMTP connection per
 * message (what an unpooled transport does), and the latency of `/verify` start and confirm,
 * against SMTP servers on loopback and SQLite in memory. The target compares against a server
 * that greets at once; smtp-server waits 100 ms before its greeting (early-talker check), which
 * flatters pooling, so that ratio is shown only for comparison.
 */
export async function run(): Promise<BenchResult[]> {
  const handle = await createTestDatabase('sqlite')
  const smtp = await startSmtpDouble()
  const stores = createSqlStores(handle.db)
  const email = createEmail(
    { stores, log: silentLogger(), registry: new Registry() },
    {
      smtpUrl: smtp.url,
      from: 'JustLayMe <bot@justlay.me>',
      publicUrl: 'https://bots.example.com',
      workerIntervalMs: 60_000,
      routeRateLimitMax: 1_000_000,
    },
  )
  const app = Fastify()
  await app.register(email.routes)
  const results: BenchResult[] = []
  try {
    // Delivery against a bare server that greets at once (the targets) and against the
    // smtp-server double, which requires STARTTLS and waits 100 ms before its greeting, as
    // real servers make every new connection pay (shown for comparison only).
    const instant = await startInstantSmtp()
    try {
      const fast = await deliveryRates(stores, instant.port, false)
      if (instant.received() !== 3 * MESSAGES) {
        throw new Error(`instant SMTP received ${instant.received()} of ${3 * MESSAGES}`)
      }
      const ratio = fast.pooled / fast.unpooled
      results.push(
        {
          name: 'email outbox: delivery rate (pooled transport, DB bookkeeping included)',
          value: round(fast.outbox),
          unit: 'msg/s',
          target: '>= 50 msg/s',
          pass: fast.outbox >= 50,
        },
        { name: 'email SMTP: pooled transport', value: round(fast.pooled), unit: 'msg/s' },
        {
          name: 'email SMTP: connection per message',
          value: round(fast.unpooled),
          unit: 'msg/s',
        },
        {
          name: 'email SMTP: pooled vs connection per message (server greets at once)',
          value: round(ratio),
          unit: 'x',
          target: '>= 1.2x',
          pass: ratio >= 1.2,
        },
      )
    } finally {
      await instant.close()
    }
    const slow = await deliveryRates(stores, smtp.port, true)
    results.push({
      name: 'email SMTP: pooled vs connection per message (STARTTLS, 100 ms greeting delay)',
      value: round(slow.pooled / slow.unpooled),
      unit: 'x',
    })

    // Verification: start (token + outbox row in one transaction) and confirm over HTTP.
    const now = Date.now()
    const tokens: string[] = []
    const startMs: number[] = []
    for (let i = 0; i < VERIFICATIONS; i++) {
      const { account } = await stores.accounts.resolveIdentity('discord', `b${i}`, 'Bench', now)
      const t = performance.now()
      await email.verification.start(account.id, `bench${i}@example.com`, Date.now())
      startMs.push(performance.now() - t)
    }
    smtp.messages.length = 0
    while ((await stores.outbox.counts()).pending > 0) await email.flushOutbox()
    for (const m of smtp.messages) {
      const token = /token=([\w-]+)/.exec(m.text)?.[1]
      if (token) tokens.push(token)
    }
    const confirmMs: number[] = []
    for (const token of tokens) {
      const t = performance.now()
      const res = await app.inject({
        method: 'POST',
        url: '/verify',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${token}`,
      })
      confirmMs.push(performance.now() - t)
      if (res.statusCode !== 200) throw new Error(`confirm answered ${res.statusCode}`)
    }
    const startP99 = percentile(startMs, 99)
    const confirmP99 = percentile(confirmMs, 99)
    results.push(
      { name: 'email verify: start p50', value: round(percentile(startMs, 50)), unit: 'ms' },
      {
        name: 'email verify: start p99',
        value: round(startP99),
        unit: 'ms',
        target: '< 50 ms',
        pass: startP99 < 50,
      },
      {
        name: 'email verify: confirm (POST) p50',
        value: round(percentile(confirmMs, 50)),
        unit: 'ms',
      },
      {
        name: 'email verify: confirm (POST) p99',
        value: round(confirmP99),
        unit: 'ms',
        target: '< 50 ms',
        pass: confirmP99 < 50,
      },
    )
  } finally {
    await app.close()
    await email.close()
    await smtp.close()
    await handle.destroy()
  }
  return results
}

/**
 * Messages per second on one SMTP server: through the outbox (pooled transport plus its
 * database bookkeeping), and raw nodemailer with a pooled transport against a fresh connection
 * per message (what an unpooled transport does), same content.
 */
async function deliveryRates(
  stores: ReturnType<typeof createSqlStores>,
  port: number,
  tls: boolean,
): Promise<{ outbox: number; pooled: number; unpooled: number }> {
  const query = tls ? 'requireTLS=true&tls.rejectUnauthorized=false' : 'ignoreTLS=true'
  const tlsOptions = tls
    ? { requireTLS: true, tls: { rejectUnauthorized: false } }
    : { ignoreTLS: true }
  const email = createEmail(
    { stores, log: silentLogger(), registry: new Registry() },
    {
      smtpUrl: `smtp://127.0.0.1:${port}?${query}`,
      from: 'JustLayMe <bot@justlay.me>',
      publicUrl: 'https://bots.example.com',
      workerIntervalMs: 60_000,
      routeRateLimitMax: 1_000_000,
    },
  )
  let outbox: number
  try {
    const now = Date.now()
    for (let i = 0; i < MESSAGES; i++) {
      await stores.outbox.enqueue({
        kind: 'bench',
        to: `reader${i}@example.com`,
        subject: `bench ${i}`,
        text: 'hello',
        html: '<p>hello</p>',
        createdAt: now,
      })
    }
    const t0 = performance.now()
    while ((await stores.outbox.counts()).pending > 0) await email.flushOutbox()
    outbox = MESSAGES / ((performance.now() - t0) / 1000)
  } finally {
    await email.close()
  }
  const rate = async (pool: boolean) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, pool, ...tlsOptions })
    const t0 = performance.now()
    for (let i = 0; i < MESSAGES; i++) {
      await transport.sendMail({
        from: 'bot@justlay.me',
        to: `reader${i}@example.com`,
        subject: `bench ${i}`,
        text: 'hello',
        html: '<p>hello</p>',
      })
    }
    const perSecond = MESSAGES / ((performance.now() - t0) / 1000)
    transport.close()
    return perSecond
  }
  const pooled = await rate(true)
  const unpooled = await rate(false)
  return { outbox, pooled, unpooled }
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}
