import { randomBytes } from 'node:crypto'
import type { Logger as PinoLogger } from 'pino'
import type { Config } from '../config.js'
import { createDatabase, type DatabaseHandle, dialectOf } from '../storage/create-database.js'
import { migrateToLatest } from '../storage/migrate.js'
import { createSqlStores, type SqlStores } from '../storage/sql-stores.js'
import { claimSqliteFile, type SqliteOwnership } from '../storage/sqlite-owner.js'

const LINK_SECRET_KEY = 'link_secret'

export interface OpenStores {
  readonly database: DatabaseHandle
  readonly stores: SqlStores
  /** LINK_SECRET, else one generated on first start and kept in the database. */
  readonly linkSecret: string
  /** The claim on a SQLite file; release it after the database is closed. */
  readonly ownership: SqliteOwnership | undefined
}

/** Claims a SQLite file for this process, opens the database, migrates it to the latest schema and reads (or creates) the link secret. */
export async function openStores(config: Config, log: PinoLogger): Promise<OpenStores> {
  // SQLite serves one process: a second one on the same file stops here, naming the first.
  const ownership =
    dialectOf(config.DATABASE_URL) === 'sqlite' && config.DATABASE_URL !== ':memory:'
      ? claimSqliteFile(config.DATABASE_URL)
      : undefined
  const database: DatabaseHandle = createDatabase(config.DATABASE_URL)
  await migrateToLatest(database.db, log, { schema: database.schema })
  const stores = createSqlStores(database.db, {
    scrub: () => database.scrub(),
    onScrubError: (err) => log.error({ err }, 'scrubbing the database after a merge failed'),
  })
  const linkSecret =
    config.LINK_SECRET ??
    (await stores.kv.setIfAbsent(LINK_SECRET_KEY, randomBytes(32).toString('hex')))
  return { database, stores, linkSecret, ownership }
}
