import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import pg from 'pg'
import { createDatabase, type DatabaseHandle } from '../../src/storage/create-database.js'
import { migrateToLatest } from '../../src/storage/migrate.js'
import { silentLogger } from './logger.js'

/** The dialects a storage test runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const TEST_DIALECTS: readonly ('sqlite' | 'postgres')[] = process.env.TEST_DATABASE_URL
  ? ['sqlite', 'postgres']
  : ['sqlite']

/**
 * A migrated database for one test file: SQLite in memory, or a fresh PostgreSQL schema
 * (dropped on destroy) so concurrent runs never see each other's rows.
 */
export async function createTestDatabase(
  dialect: 'sqlite' | 'postgres' = 'sqlite',
): Promise<DatabaseHandle> {
  if (dialect === 'sqlite') {
    const handle = createDatabase(':memory:')
    await migrateToLatest(handle.db, silentLogger())
    return handle
  }
  const url = process.env.TEST_DATABASE_URL
  if (!url) throw new Error('TEST_DATABASE_URL is not set')
  const schema = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`CREATE SCHEMA "${schema}"`)
  await admin.end()
  const handle = createDatabase(url, { schema, poolSize: 4 })
  await migrateToLatest(handle.db, silentLogger(), { schema })
  return {
    db: handle.db,
    dialect: 'postgres',
    schema,
    scrub: () => handle.scrub(),
    async destroy() {
      await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(handle.db).catch(() => {})
      await handle.destroy()
    },
  }
}
