import { type Kysely, Migrator } from 'kysely'
import { migrations } from '../../migrations/index.js'
import type { Logger } from '../core/ports/logger.js'

/** Brings the schema to the newest migration; throws (after logging) when one fails. */
export async function migrateToLatest(
  db: Kysely<any>,
  log: Logger,
  options: { schema?: string | undefined } = {},
): Promise<void> {
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
