import type { Logger as PinoLogger } from 'pino'
import { packageVersion } from '../build-info.js'
import type { Config } from '../config.js'
import { type Coordination, createCoordination } from '../coordination/create-coordination.js'
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
