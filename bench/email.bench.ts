import { performance } from 'node:perf_hooks'
import Fastify from 'fastify'
import nodemailer from 'nodemailer'
import { Registry } from 'prom-client'
import { createEmail } from '../src/email/create-email.js'
import { createSqlStores } from '../src/storage/sql-stores.js'
import { startSmtpDouble } from '../tests/doubles/smtp-double.js'
import { createTestDatabase } from '../tests/helpers/database.js'
import { silentLogger } from '../tests/helpers/logger.js'
import { type BenchResult, percentile } from './types.js'

const MESSAGES = 100
const VERIFICATIONS = 200

/**
 * Outbox delivery through the pooled transport against one fresh SMTP connection per
 * message (what an unpooled transport does), and the latency of `/verify` start and confirm,
 * all against a real SMTP server on loopback and SQLite in memory. The smtp-server double
 * waits 100 ms before its greeting (early-talker check), as many real servers do, which is
 * what a connection per message pays every time.
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
    // Pooled outbox delivery.
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
    let t0 = performance.now()
    while ((await stores.outbox.counts()).pending > 0) await email.flushOutbox()
    const pooledRate = MESSAGES / ((performance.now() - t0) / 1000)
    results.push({ name: 'email outbox: pooled delivery', value: round(pooledRate), unit: 'msg/s' })

    // One connection per message, same server and content.
    const unpooled = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      ignoreTLS: true,
    })
    t0 = performance.now()
    for (let i = 0; i < MESSAGES; i++) {
      await unpooled.sendMail({
        from: 'bot@justlay.me',
        to: `reader${i}@example.com`,
        subject: `bench ${i}`,
        text: 'hello',
        html: '<p>hello</p>',
      })
    }
    const unpooledRate = MESSAGES / ((performance.now() - t0) / 1000)
    unpooled.close()
    results.push({
      name: 'email outbox: connection per message',
      value: round(unpooledRate),
      unit: 'msg/s',
    })
    const speedup = pooledRate / unpooledRate
    results.push({
      name: 'email outbox: pooled vs connection per message',
      value: round(speedup),
      unit: 'x',
      target: '>= 1.2x',
      pass: speedup >= 1.2,
    })

    // Verification: start (token + outbox row in one transaction) and confirm over HTTP.
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

function round(n: number): number {
  return Math.round(n * 100) / 100
}
