import { type Kysely, sql } from 'kysely'
import type { ScrubReport } from '../core/ports/stores.js'
import type { Database } from './database.js'
import type { WalCheckpointer } from './wal-checkpointer.js'

/** The tables that hold a person's words or mail: the ones scrubbed after a deletion. */
export const PERSONAL_TABLES = [
  'message',
  'conversation',
  'email_outbox',
  'email_token',
  'merge_request',
] as const

/**
 * Largest SQLite file `VACUUM`ed online after a deletion (64 MiB: a few seconds of
 * blocked writes on our benchmark machine). Larger files get the TRUNCATE checkpoint only; the
 * README says how to vacuum them offline.
 */
export const SQLITE_ONLINE_VACUUM_MAX_BYTES = 64 * 1024 * 1024

/**
 * PostgreSQL: a plain `VACUUM` of each table (online, no exclusive lock), so dead tuples and
 * their index entries are removed and the space is marked for reuse. Each statement runs on its
 * own pooled connection outside any transaction, as `VACUUM` requires.
 */
export async function vacuumPostgres(
  db: Kysely<Database>,
  tables: readonly string[] = PERSONAL_TABLES,
): Promise<ScrubReport> {
  if (db.isTransaction) throw new Error('VACUUM cannot run inside a transaction')
  for (const table of tables) await sql`VACUUM ${sql.table(table)}`.execute(db)
  return { dialect: 'postgres', vacuumed: [...tables], walTruncated: false }
}

/**
 * SQLite: through the background checkpointer when there is one (off the event loop), else on
 * the serving connection itself (in-memory databases, or after the checkpointer failed).
 */
export async function scrubSqlite(
  db: Kysely<Database>,
  checkpointer: WalCheckpointer | undefined,
  vacuumMaxBytes = SQLITE_ONLINE_VACUUM_MAX_BYTES,
): Promise<ScrubReport> {
  if (db.isTransaction) throw new Error('cannot scrub SQLite inside a transaction')
  if (checkpointer) {
    try {
      const result = await checkpointer.scrub({ vacuumMaxBytes })
      return {
        dialect: 'sqlite',
        vacuumed: result.vacuumed ? ['*'] : [],
        walTruncated: result.walTruncated,
      }
    } catch {
      // The worker is gone: fall through to the serving connection.
    }
  }
  const size = await sql<{ bytes: number }>`
    select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(db)
  const bytes = Number(size.rows[0]?.bytes ?? 0)
  const vacuum = bytes <= vacuumMaxBytes
  if (vacuum) await sql`VACUUM`.execute(db)
  const checkpoint = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db)
  return {
    dialect: 'sqlite',
    vacuumed: vacuum ? ['*'] : [],
    walTruncated: Number(checkpoint.rows[0]?.busy ?? 1) === 0,
  }
}
