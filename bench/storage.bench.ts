import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { pino } from 'pino'
import type { Stores } from '../src/core/ports/stores.js'
import { createDatabase, type DatabaseHandle } from '../src/storage/create-database.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { createSqlStores } from '../src/storage/sql-stores.js'
import { loadSqliteMessages } from './helpers/load-sqlite-messages.js'
import { type BenchResult, percentile } from './types.js'

const MESSAGES = 1_000_000
const CONVERSATIONS = 1_000
const SAMPLES = 4_000
const WARMUP = 200
const WINDOW = 50
const FILLER = 'x'.repeat(120)

/**
 * Appending a message and fetching a context window (newest 50 messages) with 1,000,000
 * messages spread over 1,000 conversations, on SQLite (temp file) and PostgreSQL (fresh schema).
 */
export async function run(): Promise<BenchResult[]> {
  const results = await benchSqlite()
  results.push(...(await benchPostgres()))
  // p99 on a shared machine mostly measures the other processes; this row says how busy it was.
  results.push({
    name: 'storage: 1-minute load average at the end',
    value: loadavg()[0] ?? 0,
    unit: '',
  })
  return results
}

async function benchSqlite(): Promise<BenchResult[]> {
  const file = join(tmpdir(), `justlayme-bench-${randomBytes(4).toString('hex')}.sqlite`)
  const handle = createDatabase(file)
  try {
    await migrateToLatest(handle.db, pino({ level: 'silent' }))
    const started = performance.now()
    loadSqliteMessages(file, {
      conversations: CONVERSATIONS,
      messages: MESSAGES,
      idPrefix: 'bench-',
      personaId: 'luna',
      content: (i) => `message ${i} ${FILLER}`,
    })
    // The load went to the WAL: copy it into the file now, so that checkpoint is part of the
    // load rather than of whichever samples it would overlap.
    await sql.raw('PRAGMA wal_checkpoint(TRUNCATE)').execute(handle.db)
    const loadMs = performance.now() - started
    const stores = createSqlStores(handle.db)
    return [
      loadRow('sqlite', loadMs),
      ...(await measure('sqlite', stores)),
      ...(await measureSecureDelete(handle, stores)),
    ]
  } finally {
    await handle.destroy()
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true })
  }
}

async function benchPostgres(): Promise<BenchResult[]> {
  const url =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/test'
  const schema = `bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 })
  try {
    await admin.connect()
    await admin.query(`create schema "${schema}"`)
  } catch (err) {
    await admin.end().catch(() => {})
    const reason = err instanceof Error ? err.message : String(err)
    return [{ name: `storage postgres: skipped, unreachable (${reason})`, value: 0, unit: '' }]
  }
  let handle: DatabaseHandle | undefined
  try {
    handle = createDatabase(url, { schema, poolSize: 4 })
    await migrateToLatest(handle.db, pino({ level: 'silent' }), { schema })
    const started = performance.now()
    await sql`insert into conversation (id, scope_key, kind, persona_id, created_at, updated_at)
      select 'bench-' || g, 'account:bench-' || g, 'direct', 'luna', 0, 0
      from generate_series(0, ${CONVERSATIONS - 1}::int) g`.execute(handle.db)
    await sql`insert into message (conversation_id, role, content, status, created_at)
      select 'bench-' || (g % ${CONVERSATIONS}::int),
        case when g % 2 = 0 then 'user' else 'assistant' end,
        'message ' || g || ' ' || ${FILLER}::text, 'complete', g
      from generate_series(0, ${MESSAGES - 1}::int) g`.execute(handle.db)
    await sql`vacuum analyze`.execute(handle.db)
    const loadMs = performance.now() - started
    return [loadRow('postgres', loadMs), ...(await measure('postgres', createSqlStores(handle.db)))]
  } finally {
    await handle?.destroy()
    await admin.query(`drop schema "${schema}" cascade`).catch(() => {})
    await admin.end().catch(() => {})
  }
}

function loadRow(dialect: string, ms: number): BenchResult {
  return { name: `storage ${dialect}: load 1,000,000 messages`, value: ms / 1000, unit: 's' }
}

/** Alternates appends and context-window fetches over pseudo-random conversations. */
async function measure(dialect: string, stores: Stores): Promise<BenchResult[]> {
  const appendMs: number[] = []
  const fetchMs: number[] = []
  let seed = 42
  const nextConversation = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return `bench-${seed % CONVERSATIONS}`
  }
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const conversationId = nextConversation()
    let t = performance.now()
    await stores.conversations.append({
      conversationId,
      role: 'user',
      content: `appended ${i} ${FILLER}`,
      status: 'complete',
      createdAt: Date.now(),
    })
    const append = performance.now() - t
    t = performance.now()
    const window = await stores.conversations.recent(nextConversation(), WINDOW)
    const fetch = performance.now() - t
    if (window.length !== WINDOW)
      throw new Error(`expected ${WINDOW} messages, got ${window.length}`)
    if (i >= WARMUP) {
      appendMs.push(append)
      fetchMs.push(fetch)
    }
  }
  const row = (op: string, samples: number[], p: number, target?: number): BenchResult => {
    const value = percentile(samples, p)
    return {
      name: `storage ${dialect}: ${op} p${p}`,
      value,
      unit: 'ms',
      ...(target === undefined ? {} : { target: `< ${target} ms`, pass: value < target }),
    }
  }
  return [
    row('append', appendMs, 50),
    row('append', appendMs, 99),
    row('fetch context window (50)', fetchMs, 50, 2),
    row('fetch context window (50)', fetchMs, 99, 2),
  ]
}

/** Write samples per `secure_delete` setting (after the warm-up). */
const SECURE_DELETE_SAMPLES = 8_000
const SECURE_DELETE_WARMUP = 300

/**
 * The write path with `secure_delete = ON` (what `createDatabase` sets) against `FAST` and `OFF`,
 * on the same connection and file: a message append, and a streamed reply (append a partial
 * reply, grow it twice, complete it), whose updates free old cell space that ON zeroes.
 *
 * The setting changes before every sample, in a rotating order, so whatever else the machine
 * does (other processes, garbage collection, the background WAL checkpoint) falls on all three
 * alike. Blocks of a few hundred writes per setting made the p99 ratio depend on which block a
 * disturbance landed in (one run: 2x with ON first after the bulk load, 1.0x with ON last).
 */
async function measureSecureDelete(handle: DatabaseHandle, stores: Stores): Promise<BenchResult[]> {
  const modes = ['ON', 'FAST', 'OFF'] as const
  const append: Record<string, number[]> = { ON: [], FAST: [], OFF: [] }
  const reply: Record<string, number[]> = { ON: [], FAST: [], OFF: [] }
  const total = (SECURE_DELETE_WARMUP + SECURE_DELETE_SAMPLES) * modes.length
  for (let n = 0; n < total; n++) {
    const mode = modes[(n + Math.floor(n / modes.length)) % modes.length] ?? 'ON'
    const keep = n >= SECURE_DELETE_WARMUP * modes.length
    await sql.raw(`PRAGMA secure_delete = ${mode}`).execute(handle.db)
    const conversationId = `bench-${(n * 7919) % CONVERSATIONS}`
    let t = performance.now()
    await stores.conversations.append({
      conversationId,
      role: 'user',
      content: `appended ${n} ${FILLER}`,
      status: 'complete',
      createdAt: n,
    })
    if (keep) append[mode]?.push(performance.now() - t)
    t = performance.now()
    const partial = await stores.conversations.append({
      conversationId,
      role: 'assistant',
      content: 'Once',
      status: 'partial',
      createdAt: n,
    })
    await stores.conversations.update(partial.id, { content: `Once upon ${FILLER}` })
    await stores.conversations.update(partial.id, { content: `Once upon ${FILLER} a time` })
    await stores.conversations.update(partial.id, { status: 'complete' })
    if (keep) reply[mode]?.push(performance.now() - t)
  }
  await sql.raw('PRAGMA secure_delete = ON').execute(handle.db)
  const at = (samples: number[] | undefined, p: number) => percentile(samples ?? [], p)
  const rows: BenchResult[] = []
  for (const [what, samples] of [
    ['append', append],
    ['streamed reply write', reply],
  ] as const) {
    for (const p of [50, 99]) {
      for (const mode of modes) {
        rows.push({
          name: `storage sqlite: ${what} p${p}, secure_delete ${mode}`,
          value: at(samples[mode], p),
          unit: 'ms',
        })
      }
    }
    const ratio = at(samples.ON, 99) / at(samples.OFF, 99)
    rows.push({
      name: `storage sqlite: ${what} p99, secure_delete ON / OFF`,
      value: ratio,
      unit: 'x',
      target: '<= 1.2x',
      pass: ratio <= 1.2,
    })
  }
  return rows
}
