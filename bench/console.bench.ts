import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { SubscriptionEntitlements } from '../src/billing/subscription-entitlements.js'
import { ConsoleAccess } from '../src/console/console-access.js'
import { consolePlugin } from '../src/console/console-plugin.js'
import { LiveSampler } from '../src/console/live-sampler.js'
import { SqlReplicaRegistry } from '../src/coordination/sql-replica-registry.js'
import type { ChatCore } from '../src/core/chat-core.js'
import { utcDay } from '../src/core/quota.js'
import { FilePersonaRepository } from '../src/personas/file-persona-repository.js'
import { createServer } from '../src/server/app.js'
import { createDatabase } from '../src/storage/create-database.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { SqlConsoleReports } from '../src/storage/sql-console-reports.js'
import { SqlConsoleSessionStore } from '../src/storage/sql-console-session-store.js'
import { createSqlStores } from '../src/storage/sql-stores.js'
import { loadSqliteMessages } from './helpers/load-sqlite-messages.js'
import { type BenchResult, percentile } from './types.js'

const MESSAGES = 1_000_000
const PEOPLE = 10_000
const DAYS = 30
/** People active on a given day (a fifth of everyone). */
const ACTIVE_PER_DAY = 2_000
const PERSONAS = ['ilse-varga', 'mara-quill', 'rook-mallory']
const SAMPLES = 400
const WARMUP = 40
const DAY_MS = 86_400_000

/** Accounts, identities and 30 days of rollups for 10,000 people, with 1,000,000 messages. */
function seed(file: string, now: number): void {
  loadSqliteMessages(file, {
    conversations: PEOPLE,
    messages: MESSAGES,
    idPrefix: 'acct-',
    personaId: 'ilse-varga',
    content: (i) => `message ${i}`,
  })
  const db = new SQLite(file)
  try {
    db.pragma('synchronous = OFF')
    const account = db.prepare(
      'insert into account (id, created_at, last_seen_at) values (?, 0, 0)',
    )
    const identity = db.prepare(
      `insert into identity (platform, platform_user_id, account_id, display_name, handle, created_at)
       values (?, ?, ?, ?, ?, 0)`,
    )
    const rollup = db.prepare(
      `insert into usage_rollup (day, platform, persona_id, messages, prompt_tokens, completion_tokens)
       values (?, ?, ?, ?, ?, ?)`,
    )
    const active = db.prepare(
      'insert into active_daily (day, platform, account_id) values (?, ?, ?)',
    )
    const usage = db.prepare(
      `insert into usage_daily (account_id, day, messages, prompt_tokens, completion_tokens)
       values (?, ?, ?, ?, ?)`,
    )
    db.transaction(() => {
      for (let p = 0; p < PEOPLE; p++) {
        const platform = p % 2 === 0 ? 'telegram' : 'discord'
        account.run(`acct-${p}`)
        identity.run(platform, String(100_000 + p), `acct-${p}`, `Person ${p}`, `person${p}`)
      }
      const perDay = Math.floor(MESSAGES / DAYS)
      for (let d = 0; d < DAYS; d++) {
        const day = utcDay(now - d * DAY_MS)
        for (const platform of ['telegram', 'discord']) {
          for (const persona of PERSONAS) {
            const n = Math.floor(perDay / 6)
            rollup.run(day, platform, persona, n, n * 400, n * 200)
          }
        }
        for (let a = 0; a < ACTIVE_PER_DAY; a++) {
          const p = (d * 337 + a) % PEOPLE
          active.run(day, p % 2 === 0 ? 'telegram' : 'discord', `acct-${p}`)
          usage.run(`acct-${p}`, day, 16, 6400, 3200)
        }
      }
    })()
    db.exec('analyze')
  } finally {
    db.close()
  }
}

/** Not called by the overview; the test chat is measured elsewhere. */
const NO_CORE = {} as ChatCore

/**
 * The console overview page over HTTP with 1,000,000 stored messages and 10,000 people: it
 * reads today's precomputed rollups, never `message`, so it stays fast as history grows.
 */
export async function run(): Promise<BenchResult[]> {
  const file = join(tmpdir(), `justlayme-console-bench-${randomBytes(4).toString('hex')}.sqlite`)
  const log = pino({ level: 'silent' })
  const now = Date.now()
  const handle = createDatabase(file)
  try {
    await migrateToLatest(handle.db, log)
    seed(file, now)
    const stores = createSqlStores(handle.db)
    const access = new ConsoleAccess(
      {
        sessions: new SqlConsoleSessionStore(handle.db),
        kv: stores.kv,
        audit: stores.audit,
        linkSecret: 'bench-secret',
        isAdmin: () => true,
      },
      { publicUrl: 'http://127.0.0.1', sessionMs: 3_600_000 },
    )
    const link = await access.signInLink({ platform: 'telegram', platformUserId: '1' }, now)
    const signedIn = await access.signIn(new URL(link).searchParams.get('token') ?? '', now)
    if (signedIn.status !== 'ok') throw new Error(`bench sign-in failed: ${signedIn.status}`)
    const registry = new Registry()
    const sampler = new LiveSampler(registry)
    const personas = new FilePersonaRepository({ log }, { dir: join(process.cwd(), 'personas') })
    await personas.reload()
    const entitlements = new SubscriptionEntitlements({ stores }, { graceDays: 3 })
    // The overview lists the live processes from the database, as in production.
    const replicaRegistry = new SqlReplicaRegistry(handle.db, handle.dialect)
    const plugin = consolePlugin(
      {
        access,
        reports: new SqlConsoleReports(handle.db),
        stores,
        entitlements,
        grants: entitlements,
        personas,
        core: NO_CORE,
        sampler,
        replicas: () => replicaRegistry.live(10_000),
        health: async () => [{ name: 'database', status: 'up', essential: true }],
        llmHealth: async () => [],
        log,
        now: Date.now,
      },
      { publicUrl: 'http://127.0.0.1', sessionMs: 3_600_000, defaultModel: 'llama3.2' },
    )
    const app = await createServer({ log, registry, health: async () => [], plugins: [{ plugin }] })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    const cookie = `jlm_console=${signedIn.cookieValue}`
    const samples: number[] = []
    let bytes = 0
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const start = performance.now()
      const res = await fetch(`${url}/console`, { headers: { cookie } })
      const body = await res.text()
      const ms = performance.now() - start
      if (res.status !== 200) throw new Error(`overview answered ${res.status}`)
      if (i >= WARMUP) samples.push(ms)
      bytes = body.length
    }
    let assets = 0
    for (const name of ['uplot.js', 'uplot.css', 'console.js']) {
      assets += (
        await (await fetch(`${url}/console/assets/${name}`, { headers: { cookie } })).text()
      ).length
    }
    await app.close()
    await personas.close()
    const p99 = percentile(samples, 99)
    const weightKb = (bytes + assets) / 1024
    return [
      {
        name: 'console: overview page p99 (1M messages, 10k people)',
        value: p99,
        unit: 'ms',
        target: '< 50 ms',
        pass: p99 < 50,
      },
      { name: 'console: overview page p50', value: percentile(samples, 50), unit: 'ms' },
      {
        name: 'console: overview page weight (HTML + uPlot + script)',
        value: weightKb,
        unit: 'KB',
        target: '< 300 KB',
        pass: weightKb < 300,
      },
    ]
  } finally {
    await handle.destroy()
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true })
  }
}
