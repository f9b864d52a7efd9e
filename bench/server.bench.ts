import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import Stripe from 'stripe'
import { createBilling } from '../src/billing/create-billing.js'
import { createServer } from '../src/server/app.js'
import { createDatabase } from '../src/storage/create-database.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { createSqlStores } from '../src/storage/sql-stores.js'
import { StripeDouble } from '../tests/doubles/stripe-double.js'
import type { BenchResult } from './types.js'

interface LoadResult {
  requests: { average: number; total: number }
  latency: { p50: number; p99: number }
  non2xx: number
  errors: number
}

interface LoadOptions {
  url: string
  connections: number
  duration: number
  method?: string
  /** A CommonJS file exporting autocannon's `setupRequest(request)`. */
  setupFile?: string
}

const execFileAsync = promisify(execFile)

/**
 * Runs autocannon in a child process, so generating (and signing) load never competes with
 * the server for this process's event loop and its CPU time can be measured on its own.
 */
async function load(loadgen: string, options: LoadOptions): Promise<LoadResult> {
  const { stdout } = await execFileAsync(process.execPath, [loadgen, JSON.stringify(options)], {
    maxBuffer: 16 * 1024 * 1024,
  })
  return JSON.parse(stdout) as LoadResult
}

function loadgenSource(autocannonPath: string): string {
  return `'use strict'
const autocannon = require(${JSON.stringify(autocannonPath)})
const options = JSON.parse(process.argv[2])
const requests = options.setupFile
  ? [{ method: options.method, setupRequest: require(options.setupFile) }]
  : undefined
autocannon({ url: options.url, connections: options.connections, duration: options.duration, requests })
  .then((r) => process.stdout.write(JSON.stringify({ requests: r.requests, latency: r.latency, non2xx: r.non2xx, errors: r.errors })))
  .catch((err) => { console.error(err); process.exit(1) })
`
}

const WEBHOOK_SECRET = 'whsec_bench_secret'
const ACCOUNTS = 200

/**
 * Builds each request in the load generator: a distinct `customer.subscription.updated` event
 * (ids unique per worker, `created` increasing per account) signed the way
 * `stripe.webhooks.generateTestHeaderString` signs: `t=<s>,v1=<HMAC-SHA256(secret, t.payload)>`.
 */
function setupRequestSource(apiVersion: string, secret: string, accounts: number): string {
  return `'use strict'
const { createHmac, randomBytes } = require('node:crypto')
const prefix = randomBytes(6).toString('hex')
const start = Math.floor(Date.now() / 1000)
let n = 0
module.exports = function setupRequest(request) {
  n += 1
  const accountId = 'acc-' + (n % ${accounts})
  const payload = JSON.stringify({
    id: 'evt_' + prefix + '_' + n, object: 'event', api_version: ${JSON.stringify(apiVersion)},
    created: start + n, type: 'customer.subscription.updated', livemode: false,
    pending_webhooks: 1, request: { id: null, idempotency_key: null },
    data: { object: {
      id: 'sub_' + accountId, object: 'subscription', customer: 'cus_' + accountId,
      status: n % 7 === 0 ? 'past_due' : 'active', cancel_at_period_end: false,
      metadata: { account_id: accountId },
      items: { object: 'list', data: [{ current_period_end: start + 2592000, price: { id: 'price_bench' } }] },
    } },
  })
  const t = Math.floor(Date.now() / 1000)
  const v1 = createHmac('sha256', ${JSON.stringify(secret)}).update(t + '.' + payload).digest('hex')
  request.body = payload
  request.headers = { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': 't=' + t + ',v1=' + v1 }
  return request
}
`
}

/**
 * Webhook throughput with signature verification over loopback: every request is a distinct,
 * freshly signed `customer.subscription.updated` that the server verifies, records and applies
 * in one SQLite (WAL, file) transaction. Then `/health` latency with a database ping.
 */
export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'server-bench-'))
  const double = await StripeDouble.start({ prices: ['price_bench'] })
  const handle = createDatabase(join(dir, 'bench.sqlite'))
  const registry = new Registry()
  try {
    await migrateToLatest(handle.db, pino({ level: 'silent' }))
    const stores = createSqlStores(handle.db)
    const billing = createBilling(
      { stores, log: pino({ level: 'silent' }), registry },
      {
        secretKey: 'sk_test_bench',
        webhookSecret: WEBHOOK_SECRET,
        priceId: 'price_bench',
        apiUrl: double.url,
        publicUrl: 'http://127.0.0.1',
        linkSecret: 'b'.repeat(48),
        graceDays: 3,
      },
    )
    const app = await createServer({
      log: pino({ level: 'silent' }),
      registry,
      health: async () => {
        await stores.ping()
        return [{ name: 'database', status: 'up', essential: true }]
      },
      plugins: [{ plugin: billing.routes }],
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

    const setupFile = join(dir, 'setup-request.cjs')
    writeFileSync(setupFile, setupRequestSource(Stripe.API_VERSION, WEBHOOK_SECRET, ACCOUNTS))
    const loadgen = join(dir, 'loadgen.cjs')
    writeFileSync(loadgen, loadgenSource(createRequire(import.meta.url).resolve('autocannon')))
    const webhookUrl = `${url}/webhooks/stripe`

    await load(loadgen, { url: webhookUrl, method: 'POST', setupFile, connections: 4, duration: 2 })
    const cpuBefore = process.cpuUsage()
    // Stripe delivers with modest concurrency; the SQLite driver serializes anyway.
    const webhooks = await load(loadgen, {
      url: webhookUrl,
      method: 'POST',
      setupFile,
      connections: 5,
      duration: 10,
    })
    const cpu = process.cpuUsage(cpuBefore)
    const cpuPerEvent = (cpu.user + cpu.system) / Math.max(1, webhooks.requests.total)
    const health = await load(loadgen, { url: `${url}/health`, connections: 4, duration: 5 })

    await app.close()
    await billing.close()
    const failed = webhooks.non2xx + webhooks.errors
    return [
      {
        name: 'server: stripe webhooks verified+recorded (SQLite file)',
        value: webhooks.requests.average,
        unit: 'events/s',
        target: '>= 1500',
        pass: webhooks.requests.average >= 1500 && failed === 0,
      },
      {
        name: 'server: stripe webhook latency p99',
        value: webhooks.latency.p99,
        unit: 'ms',
        target: '< 20',
        pass: webhooks.latency.p99 < 20,
      },
      { name: 'server: stripe webhook latency p50', value: webhooks.latency.p50, unit: 'ms' },
      { name: 'server: stripe webhook failed responses', value: failed, unit: 'requests' },
      // Independent of other load on the machine: what one event costs the server process.
      { name: 'server: CPU per webhook event (server process)', value: cpuPerEvent, unit: 'µs' },
      {
        name: 'server: webhook capacity of one free core (1 s / CPU per event)',
        value: 1_000_000 / cpuPerEvent,
        unit: 'events/s',
      },
      { name: 'server: /health latency p50', value: health.latency.p50, unit: 'ms' },
      { name: 'server: /health latency p99', value: health.latency.p99, unit: 'ms' },
      { name: 'server: /health throughput', value: health.requests.average, unit: 'req/s' },
    ]
  } finally {
    await handle.destroy()
    await double.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
