import type { Logger as PinoLogger } from 'pino'
import { packageVersion } from '../build-info.js'
import type { Config } from '../config.js'
import { type Coordination, createCoordination } from '../coordination/create-coordination.js'
import { SharedHostQueue } from '../coordination/shared-host-queue.js'
import { SqlGpuTickets } from '../coordination/sql-gpu-tickets.js'
import type { HostSlotsFactory } from '../llm/create-llm-gateway.js'
import type { DatabaseHandle } from '../storage/create-database.js'

/** Registers this process as a replica and starts its heartbeat (see "Running several processes"). */
export async function startCoordination(
  config: Config,
  database: DatabaseHandle,
  log: PinoLogger,
): Promise<Coordination> {
  const coordinationLog = log.child({ component: 'coordination' })
  const coordination = createCoordination({
    database,
    connectionString: config.DATABASE_URL,
    timeoutMs: config.REPLICA_TIMEOUT_MS,
    version: packageVersion(),
    onError: (err, what) => coordinationLog.warn({ err }, `${what} failed`),
  })
  await coordination.membership.start()
  coordinationLog.info(
    { replica: coordination.membership.id, timeoutMs: config.REPLICA_TIMEOUT_MS },
    'joined the replica set',
  )
  return coordination
}

/**
 * On PostgreSQL, every Ollama host's slots live in the database so the concurrency cap holds
 * summed over all replicas; alone on SQLite each host keeps its in-process queue.
 */
export function sharedGpuSlots(
  config: Config,
  database: DatabaseHandle,
  coordination: Coordination,
  log: PinoLogger,
): HostSlotsFactory | undefined {
  if (!coordination.shared) return undefined
  const queueLog = log.child({ component: 'gpu-queue' })
  const tickets = new SqlGpuTickets(database.db, {
    leaseMs: config.REPLICA_TIMEOUT_MS,
  })
  return (host, { concurrency, onDepth }) =>
    new SharedHostQueue(
      {
        tickets,
        bus: coordination.bus,
        replica: coordination.membership.id,
        onDepth,
        onError: (err, what) => queueLog.warn({ err, host }, `${what} failed`),
      },
      { host, concurrency, renewMs: Math.floor(config.REPLICA_TIMEOUT_MS / 3) },
    )
}
