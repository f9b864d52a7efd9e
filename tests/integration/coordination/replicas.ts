import { randomUUID } from 'node:crypto'
import type { SignalBus } from '../../../src/coordination/ports.js'
import { SharedHostQueue } from '../../../src/coordination/shared-host-queue.js'
import { PgSignalBus } from '../../../src/coordination/signal-bus.js'
import { SqlGpuTickets } from '../../../src/coordination/sql-gpu-tickets.js'
import type { HostSlotsFactory } from '../../../src/llm/create-llm-gateway.js'
import { createDatabase, type DatabaseHandle } from '../../../src/storage/create-database.js'
import { createTestDatabase } from '../../helpers/database.js'

/** One "process" of a multi-replica test: its own pool, listening connection and id. */
export interface TestReplica {
  readonly id: string
  readonly database: DatabaseHandle
  readonly bus: SignalBus
  /** Closes its pool and bus as a process exit would (nothing released; not the first). */
  kill(): Promise<void>
}

export interface TestReplicaSet {
  readonly replicas: readonly TestReplica[]
  readonly schema: string
  close(): Promise<void>
}

/** `count` replicas on one fresh PostgreSQL schema, each over its own connection pool. */
export async function openReplicas(count: number): Promise<TestReplicaSet> {
  const url = process.env.TEST_DATABASE_URL
  if (!url) throw new Error('TEST_DATABASE_URL is not set')
  const first = await createTestDatabase('postgres')
  const schema = first.schema ?? ''
  const replicas: TestReplica[] = []
  for (let i = 0; i < count; i++) {
    const database = i === 0 ? first : createDatabase(url, { schema, poolSize: 4 })
    const bus = new PgSignalBus({ connectionString: url, schema })
    let killed = false
    replicas.push({
      id: `replica-${i}-${randomUUID().slice(0, 8)}`,
      database,
      bus,
      async kill() {
        if (killed) return
        killed = true
        await bus.close()
        if (i > 0) await database.destroy()
      },
    })
  }
  return {
    replicas,
    schema,
    async close() {
      for (const r of replicas.slice(1)) await r.kill()
      await replicas[0]?.bus.close()
      await first.destroy()
    },
  }
}

/** The shared GPU queue as `src/wiring/coordination.ts` builds it, for one replica. */
export function sharedSlotsOf(
  replica: TestReplica,
  options: { leaseMs: number; pollMs?: number; errors?: string[] },
): HostSlotsFactory {
  const tickets = new SqlGpuTickets(replica.database.db, {
    leaseMs: options.leaseMs,
  })
  return (host, { concurrency, onDepth }) =>
    new SharedHostQueue(
      {
        tickets,
        bus: replica.bus,
        replica: replica.id,
        onDepth,
        onError: (_err, what) => options.errors?.push(what),
      },
      { host, concurrency, renewMs: Math.floor(options.leaseMs / 3), pollMs: options.pollMs },
    )
}
