import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import pg from 'pg'
import pino from 'pino'
import { SharedHostQueue } from '../src/coordination/shared-host-queue.js'
import { PgSignalBus } from '../src/coordination/signal-bus.js'
import { SqlGpuTickets } from '../src/coordination/sql-gpu-tickets.js'
import { HostQueue } from '../src/llm/host-queue.js'
import type { HostSlots } from '../src/llm/host-slots.js'
import { createDatabase, type DatabaseHandle } from '../src/storage/create-database.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { type BenchResult, percentile } from './types.js'

const ADMISSIONS = 300
const TARGET_EXTRA_MS = 5

/**
 * Admission latency of a generation on a host with a free slot (from asking to running):
 * the in-process queue of one process, against the GPU queue shared through PostgreSQL by one
 * replica and by three replicas asking at the same time.
 */
export async function run(): Promise<BenchResult[]> {
  const local = await admissions([new HostQueue({ onDepth: () => {} }, { concurrency: 64 })], 1)
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
    return [{ name: `replicas: skipped, PostgreSQL unreachable (${reason})`, value: 0, unit: '' }]
  }
  await admin.end()
  const handles: DatabaseHandle[] = []
  const buses: PgSignalBus[] = []
  try {
    const slots: HostSlots[] = []
    for (let i = 0; i < 3; i++) {
      const handle = createDatabase(url, { schema, poolSize: 4 })
      handles.push(handle)
      if (i === 0) await migrateToLatest(handle.db, pino({ level: 'silent' }), { schema })
      const bus = new PgSignalBus({ connectionString: url, schema })
      buses.push(bus)
      const tickets = new SqlGpuTickets(handle.db, {
        leaseMs: 10_000,
      })
      slots.push(
        new SharedHostQueue(
          { tickets, bus, replica: `bench-${i}`, onDepth: () => {}, onError: () => {} },
          { host: 'bench-host', concurrency: 64, renewMs: 3_000 },
        ),
      )
    }
    const one = await admissions(slots.slice(0, 1), 1)
    const three = await admissions(slots, 3)
    const extra = percentile(three, 50) - percentile(local, 50)
    return [
      {
        name: 'replicas: admission p50, one process (in-process queue)',
        value: p50(local),
        unit: 'ms',
      },
      { name: 'replicas: admission p50, shared GPU queue, 1 replica', value: p50(one), unit: 'ms' },
      {
        name: 'replicas: admission p50, shared GPU queue, 3 replicas',
        value: p50(three),
        unit: 'ms',
      },
      {
        name: 'replicas: admission p99, shared GPU queue, 3 replicas',
        value: round(percentile(three, 99)),
        unit: 'ms',
      },
      {
        name: 'replicas: extra admission p50, 3 replicas vs one process',
        value: round(extra),
        unit: 'ms',
        target: `<= ${TARGET_EXTRA_MS} ms`,
        pass: extra <= TARGET_EXTRA_MS,
      },
    ]
  } finally {
    await Promise.all(buses.map((b) => b.close()))
    const first = handles[0]
    if (first) await sql`drop schema ${sql.id(schema)} cascade`.execute(first.db).catch(() => {})
    await Promise.all(handles.map((h) => h.destroy()))
  }
}

/** Each queue asks `ADMISSIONS / queues` times in a row, all queues at once; ms per admission. */
async function admissions(queues: readonly HostSlots[], parallel: number): Promise<number[]> {
  const samples: number[] = []
  const per = Math.ceil(ADMISSIONS / parallel)
  await Promise.all(
    queues.map(async (queue, q) => {
      for (let i = 0; i < per + 10; i++) {
        const asked = performance.now()
        let admitted = 0
        await queue.run(
          async () => {
            admitted = performance.now()
          },
          { priority: 0, person: `bench-${q}-${i % 7}`, onPosition: () => {} },
        )
        if (i >= 10) samples.push(admitted - asked)
      }
    }),
  )
  return samples
}

function p50(samples: readonly number[]): number {
  return round(percentile(samples, 50))
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}
