import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import { DatabaseNewerThanCodeError, migrateToLatest } from '../../../src/storage/migrate.js'
import { createTestDatabase, TEST_DIALECTS } from '../../helpers/database.js'
import { silentLogger } from '../../helpers/logger.js'

describe.each(TEST_DIALECTS)('migrations on %s', (dialect) => {
  let handle: DatabaseHandle | undefined
  afterEach(async () => {
    await handle?.destroy()
  })

  it('run again on an up-to-date database without changes', async () => {
    handle = await createTestDatabase(dialect)
    await expect(
      migrateToLatest(handle.db, silentLogger(), { schema: handle.schema }),
    ).resolves.toBeUndefined()
  })

  it('refuse a database migrated by a newer version, naming DATABASE_URL and the fix', async () => {
    handle = await createTestDatabase(dialect)
    const table = handle.schema
      ? sql.table(`${handle.schema}.kysely_migration`)
      : sql.table('kysely_migration')
    await sql`insert into ${table} (name, timestamp) values (${'2999_01_01_0000_from_the_future'}, ${new Date().toISOString()})`.execute(
      handle.db,
    )
    const attempt = migrateToLatest(handle.db, silentLogger(), { schema: handle.schema })
    await expect(attempt).rejects.toBeInstanceOf(DatabaseNewerThanCodeError)
    await expect(attempt).rejects.toThrow(
      /DATABASE_URL.*newer JustLayMe.*2999_01_01_0000_from_the_future/,
    )
  })
})
