import { randomBytes } from 'node:crypto'
import type { Logger as PinoLogger } from 'pino'
import type { Config } from '../config.js'
import { claimSqliteOrExplain, openDatabase } from '../open-database.js'
import type { DatabaseHandle } from '../storage/create-database.js'
import { dialectOf } from '../storage/create-database.js'
import { createSqlStores, type SqlStores } from '../storage/sql-stores.js'
import type { SqliteOwnership } from '../storage/sqlite-owner.js'

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
      ? claimSqliteOrExplain(config.DATABASE_URL)
      : undefined
  // An unreachable or missing database is a StartupError naming DATABASE_URL.
  const database = await openDatabase(config.DATABASE_URL, log).catch((err: unknown) => {
    ownership?.release()
    throw err
  })
  const stores = createSqlStores(database.db, {
    scrub: () => database.scrub(),
    onScrubError: (err) => log.error({ err }, 'scrubbing the database after a merge failed'),
  })
  const linkSecret =
    config.LINK_SECRET ??
    (await stores.kv.setIfAbsent(LINK_SECRET_KEY, randomBytes(32).toString('hex')))
  return { database, stores, linkSecret, ownership }
}
