import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import {
  Kysely,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
} from 'kysely'
import pg from 'pg'
import type { ScrubReport } from '../core/ports/stores.js'
import type { Database } from './database.js'
import { scrubSqlite, vacuumPostgres } from './scrub-deleted.js'
import { startWalCheckpointer } from './wal-checkpointer.js'

export type Dialect = 'sqlite' | 'postgres'

export interface CreateDatabaseOptions {
  /** PostgreSQL only: the schema to use (tests give each run its own). */
  readonly schema?: string | undefined
  /** PostgreSQL pool size. */
  readonly poolSize?: number | undefined
  /**
   * SQLite `PRAGMA secure_delete` (default `ON`: deleted rows and freed pages are overwritten
   * with zeros). The benchmark compares it with `OFF`.
   */
  readonly secureDelete?: 'ON' | 'FAST' | 'OFF' | undefined
  /**
   * SQLite: largest file `scrub()` still `VACUUM`s online (default
   * `SQLITE_ONLINE_VACUUM_MAX_BYTES`); larger files get the TRUNCATE checkpoint only.
   */
  readonly vacuumMaxBytes?: number | undefined
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  /** PostgreSQL schema in use, when not the default. */
  readonly schema?: string | undefined
  /**
   * After personal data was deleted: makes the deleted rows unrecoverable from the database's
   * own files as far as the database allows (see `Stores.scrubDeleted`). Never inside a
   * transaction.
   */
  scrub(): Promise<ScrubReport>
  /** Closes the pool or file. */
  destroy(): Promise<void>
}

export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite'
}

// pg returns int8 (bigint) as strings; our ids and epoch-ms values fit in a double.
const INT8_OID = 20
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

/**
 * WAL pages the serving connection lets pile up before it checkpoints by itself. The background
 * checkpointer normally keeps the WAL copied long before that; this bounds the WAL (~40 MB) if
 * it falls behind, and is where the WAL gets restarted under sustained writes.
 */
const WAL_AUTOCHECKPOINT_PAGES = 10_000
/** SQLite's default, used again if the background checkpointer fails. */
const DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 1_000

/** Prepared statements kept per SQLite connection (distinct SQL texts, oldest evicted first). */
const STATEMENT_CACHE_SIZE = 500

/**
 * Reuses better-sqlite3 prepared statements by SQL text. Kysely prepares every query anew,
 * which costs more than running it on the hot path; its single-connection mutex means a
 * cached statement is never used by two queries at once.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>()
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql)
      if (stmt) return stmt
      const prepared = sqlite.prepare(sql)
      stmt = prepared.reader ? new RowReader(prepared) : prepared
      if (cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = cache.keys().next().value
        if (oldest !== undefined) cache.delete(oldest)
      }
      cache.set(sql, stmt)
      return stmt
    },
  }
}

/**
 * A reading statement that fetches rows as arrays and builds the row objects in JavaScript:
 * better-sqlite3 builds each row object through the V8 API, which costs about twice as much
 * per row. Column names are read per execution, so a statement SQLite re-prepares after a
 * schema change still maps its rows right.
 */
class RowReader implements SqliteStatement {
  readonly reader = true
  readonly #stmt: SQLite.Statement

  constructor(stmt: SQLite.Statement) {
    this.#stmt = stmt.raw(true)
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    const rows = this.#stmt.all(parameters) as unknown[][]
    if (rows.length === 0) return rows
    const names = this.#names()
    const objects: Record<string, unknown>[] = new Array(rows.length)
    for (let i = 0; i < rows.length; i++) objects[i] = toRow(names, rows[i] as unknown[])
    return objects
  }

  *iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    const names = this.#names()
    for (const row of this.#stmt.iterate(parameters)) yield toRow(names, row as unknown[])
  }

  run(parameters: ReadonlyArray<unknown>) {
    return this.#stmt.run(parameters)
  }

  #names(): string[] {
    return this.#stmt.columns().map((column) => column.name)
  }
}

function toRow(names: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {}
  for (let i = 0; i < names.length; i++) row[names[i] as string] = values[i]
  return row
}

/**
 * Opens the database named by `url`: a file path (or `:memory:`) for SQLite, a
 * `postgres://` URL for PostgreSQL. SQLite runs in WAL mode with foreign keys on, a busy
 * timeout, synchronous NORMAL and secure_delete ON. Creates the SQLite file's folder when missing. A SQLite
 * file gets a background checkpointer (a second connection on a worker thread), so WAL
 * checkpoints do not stall the queries that happen to trigger them.
 */
export function createDatabase(url: string, options: CreateDatabaseOptions = {}): DatabaseHandle {
  if (dialectOf(url) === 'postgres') {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      types: pgTypes,
      connectionTimeoutMillis: 5_000,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    })
    // An idle client losing its connection (database restart) must not crash the process.
    pool.on('error', () => {})
    // A connection in use can be terminated too (database restart, failover): its error
    // surfaces as the failed query's rejection and must not become an uncaught 'error' event.
    pool.on('connect', (client) => {
      client.on('error', () => {})
    })
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return {
      db,
      dialect: 'postgres',
      schema: options.schema,
      scrub: () => vacuumPostgres(db),
      destroy: () => db.destroy(),
    }
  }
  const inMemory = url === ':memory:' || url === ''
  if (!inMemory) mkdirSync(dirname(url), { recursive: true })
  const sqlite = new SQLite(url)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  const secureDelete = options.secureDelete ?? 'ON'
  sqlite.pragma(`secure_delete = ${secureDelete}`)
  const checkpointer = inMemory
    ? undefined
    : startWalCheckpointer(url, {
        secureDelete,
        onFailure: () => {
          if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT_PAGES}`)
        },
      })
  if (checkpointer) sqlite.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  })
  return {
    db,
    dialect: 'sqlite',
    scrub: () => scrubSqlite(db, checkpointer, options.vacuumMaxBytes),
    destroy: async () => {
      // The serving connection closes last, so it still removes the WAL as before.
      await checkpointer?.stop()
      await db.destroy()
    },
  }
}
