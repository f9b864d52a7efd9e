import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './database.js'

export type Dialect = 'sqlite' | 'postgres'

export interface CreateDatabaseOptions {
  /** PostgreSQL only: the schema to use (tests give each run its own). */
  readonly schema?: string | undefined
  /** PostgreSQL pool size. */
  readonly poolSize?: number | undefined
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  /** PostgreSQL schema in use, when not the default. */
  readonly schema?: string | undefined
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

/** Prepared statements kept per SQLite connection (distinct SQL texts, oldest evicted first). */
const STATEMENT_CACHE_SIZE = 500

/**
 * Reuses better-sqlite3 prepared statements by SQL text. Kysely prepares every query anew,
 * which costs more than running it on the hot path; its single-connection mutex means a
 * cached statement is never used by two queries at once.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql)
      if (stmt) return stmt
      stmt = sqlite.prepare(sql)
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
 * Opens the database named by `url`: a file path (or `:memory:`) for SQLite, a
 * `postgres://` URL for PostgreSQL. SQLite runs in WAL mode with foreign keys on, a busy
 * timeout and synchronous NORMAL. Creates the SQLite file's folder when missing.
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
    return { db, dialect: 'postgres', schema: options.schema, destroy: () => db.destroy() }
  }
  if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true })
  const sqlite = new SQLite(url)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  })
  return { db, dialect: 'sqlite', destroy: () => db.destroy() }
}
