import { type Kysely, Migrator, sql } from 'kysely'
import { migrations } from '../../migrations/index.js'
import type { Logger } from '../core/ports/logger.js'

/** The database was migrated by a newer JustLayMe than this one: refuse to touch it. */
export class DatabaseNewerThanCodeError extends Error {
  readonly unknownMigrations: readonly string[]
  constructor(unknown: readonly string[]) {
    super(
      `The database (DATABASE_URL) was upgraded by a newer JustLayMe: it has migrations this version does not know (${unknown.join(', ')}). Run the newer version, or restore a backup taken before the upgrade (npm run restore -- <file>). Nothing was changed.`,
    )
    this.name = 'DatabaseNewerThanCodeError'
    this.unknownMigrations = unknown
  }
}

/** Names of the migrations already applied (none on a fresh database). */
async function appliedMigrations(db: Kysely<any>, schema: string | undefined): Promise<string[]> {
  const table = schema ? sql.table(`${schema}.kysely_migration`) : sql.table('kysely_migration')
  try {
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(db)
    return rows.map((r) => r.name)
  } catch {
    return [] // no migration table yet
  }
}

/**
 * Brings the schema to the newest migration; throws (after logging) when one fails, and
 * throws `DatabaseNewerThanCodeError` without changing anything when the database has
 * migrations this code does not know (a downgrade).
 */
export async function migrateToLatest(
  db: Kysely<any>,
  log: Logger,
  options: { schema?: string | undefined } = {},
): Promise<void> {
  const unknown = (await appliedMigrations(db, options.schema)).filter((n) => !(n in migrations))
  if (unknown.length > 0) throw new DatabaseNewerThanCodeError(unknown)
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Without it, kysely may find another schema's migration tables on the same database.
    ...(options.schema ? { migrationTableSchema: options.schema } : {}),
  })
  const { error, results } = await migrator.migrateToLatest()
  for (const r of results ?? []) {
    if (r.status === 'Success') log.info({ migration: r.migrationName }, 'migration applied')
    else if (r.status === 'Error') log.error({ migration: r.migrationName }, 'migration failed')
  }
  if (error) throw error instanceof Error ? error : new Error(String(error))
}
