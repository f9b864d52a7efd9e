import { afterEach, beforeEach } from 'vitest'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import type { SqlStores } from '../../../src/storage/sql-stores.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { createTestDatabase } from '../../helpers/database.js'

export interface StoresFixture {
  handle: DatabaseHandle
  stores: SqlStores
}

/** A fresh migrated database and its stores for every test of the calling `describe`. */
export function useStores(dialect: 'sqlite' | 'postgres'): StoresFixture {
  const fixture = {} as StoresFixture
  beforeEach(async () => {
    fixture.handle = await createTestDatabase(dialect)
    fixture.stores = createSqlStores(fixture.handle.db)
  })
  afterEach(async () => {
    await fixture.handle.destroy()
  })
  return fixture
}
