import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { DatabaseHandle } from '../storage/create-database.js'
import type { Inbox } from './inbox.js'
import { Membership } from './membership.js'
import type { CursorStore, LeaseStore, SignalBus } from './ports.js'
import { LocalSignalBus, PgSignalBus } from './signal-bus.js'
import { SqlCursorStore } from './sql-cursor-store.js'
import { SqlInbox } from './sql-inbox.js'
import { SqlLeaseStore } from './sql-lease-store.js'
import { SqlReplicaRegistry } from './sql-replica-registry.js'

export interface Coordination {
  /** This process as a replica (always registered, also alone on SQLite). */
  readonly membership: Membership
  readonly leases: LeaseStore
  /** Arrived messages and updates, recorded before they are handled. */
  readonly inbox: Inbox
  /** Forward-only positions (the Telegram polling offset). */
  readonly cursors: CursorStore
  /** Wakes waiters on every replica: LISTEN/NOTIFY on PostgreSQL, in-process on SQLite. */
  readonly bus: SignalBus
  /** True on PostgreSQL, where other processes may share the database. */
  readonly shared: boolean
  /** Leaves the replica set (leases released) and closes the bus. */
  close(): Promise<void>
}

export interface CoordinationOptions {
  readonly database: DatabaseHandle
  /** The PostgreSQL URL, for the listening connection (ignored on SQLite). */
  readonly connectionString: string
  readonly timeoutMs: number
  readonly version: string
  readonly onError: (err: unknown, what: string) => void
}

/** Builds this process's membership, leases and signal bus over its database. */
export function createCoordination(options: CoordinationOptions): Coordination {
  const { database } = options
  const leases = new SqlLeaseStore(database.db, database.dialect)
  const shared = database.dialect === 'postgres'
  const bus: SignalBus = shared
    ? new PgSignalBus({
        connectionString: options.connectionString,
        schema: database.schema,
        onError: (err) => options.onError(err, 'listening for signals'),
      })
    : new LocalSignalBus()
  const membership = new Membership({
    registry: new SqlReplicaRegistry(database.db, database.dialect),
    leases,
    self: { id: randomUUID(), host: hostname(), pid: process.pid, version: options.version },
    timeoutMs: options.timeoutMs,
    onError: options.onError,
  })
  return {
    membership,
    leases,
    inbox: new SqlInbox(database.db, database.dialect),
    cursors: new SqlCursorStore(database.db),
    bus,
    shared,
    async close() {
      await membership.stop()
      await bus.close()
    },
  }
}
