import {
  type Coordination,
  createCoordination,
} from '../../src/coordination/create-coordination.js'
import type { DatabaseHandle } from '../../src/storage/create-database.js'
import { createTestDatabase } from './database.js'

export interface TestReplica extends Coordination {
  readonly database: DatabaseHandle
}

/**
 * A started replica (membership, inbox, leases, signal bus) over `database`, or over a fresh
 * in-memory SQLite database of its own (destroyed on close) when none is given. Several
 * replicas on one PostgreSQL database act like several processes.
 */
export async function startTestReplica(
  database?: DatabaseHandle,
  timeoutMs = 3_000,
): Promise<TestReplica> {
  const handle = database ?? (await createTestDatabase('sqlite'))
  const coordination = createCoordination({
    database: handle,
    connectionString: process.env.TEST_DATABASE_URL ?? '',
    timeoutMs,
    version: 'test',
    onError: () => {},
  })
  await coordination.membership.start()
  return {
    ...coordination,
    database: handle,
    async close() {
      await coordination.close()
      if (!database) await handle.destroy()
    },
  }
}
