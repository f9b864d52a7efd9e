import { type Kysely, sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createDatabase, type DatabaseHandle } from '../../../src/storage/create-database.js'

let handle: DatabaseHandle | undefined
afterEach(async () => {
  await handle?.destroy()
  handle = undefined
})

/** A Kysely over a scratch table `t` outside the app schema. */
async function scratch(): Promise<Kysely<any>> {
  handle = createDatabase(':memory:')
  const db = handle.db as unknown as Kysely<any>
  await sql`create table t (id integer primary key, name text not null, n integer)`.execute(db)
  return db
}

describe('SQLite statements (cached, rows built in JavaScript)', () => {
  it('return rows as objects keyed by column, for selects and insert ... returning', async () => {
    const db = await scratch()
    const inserted = await db
      .insertInto('t')
      .values({ name: 'a', n: null })
      .returningAll()
      .executeTakeFirstOrThrow()
    expect(inserted).toEqual({ id: 1, name: 'a', n: null })
    await db.insertInto('t').values({ name: 'b', n: 2 }).execute()
    const rows = await db.selectFrom('t').select(['name', 'n']).orderBy('id').execute()
    expect(rows).toEqual([
      { name: 'a', n: null },
      { name: 'b', n: 2 },
    ])
    expect(Object.keys(rows[0] ?? {})).toEqual(['name', 'n'])
    expect(await db.selectFrom('t').selectAll().where('id', '=', 99).execute()).toEqual([])
  })

  it('see columns added after the statement was first used', async () => {
    const db = await scratch()
    await db.insertInto('t').values({ name: 'a', n: 1 }).execute()
    const all = () => db.selectFrom('t').selectAll().execute()
    expect(await all()).toEqual([{ id: 1, name: 'a', n: 1 }])
    await sql`alter table t add column extra text`.execute(db)
    expect(await all()).toEqual([{ id: 1, name: 'a', n: 1, extra: null }])
  })

  it('stream rows as objects', async () => {
    const db = await scratch()
    await db
      .insertInto('t')
      .values([
        { name: 'a', n: 1 },
        { name: 'b', n: 2 },
        { name: 'c', n: 3 },
      ])
      .execute()
    const names: string[] = []
    for await (const row of db.selectFrom('t').select('name').orderBy('id').stream()) {
      names.push(row.name)
      if (names.length === 2) break
    }
    expect(names).toEqual(['a', 'b'])
    // Stopping early released the statement: it runs again.
    expect(await db.selectFrom('t').select('name').orderBy('id').execute()).toHaveLength(3)
  })
})
