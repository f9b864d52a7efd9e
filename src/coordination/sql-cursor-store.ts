import { type Kysely, sql } from 'kysely'
import type { Database } from '../storage/database.js'
import type { CursorStore } from './ports.js'

const PREFIX = 'cursor:'

/** `CursorStore` in the `kv` table (`cursor:<name>`), moved only forward in one statement. */
export class SqlCursorStore implements CursorStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async get(name: string): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom('kv')
      .select('value')
      .where('key', '=', PREFIX + name)
      .executeTakeFirst()
    return row ? Number(row.value) : undefined
  }

  async advance(name: string, value: number): Promise<void> {
    if (!Number.isSafeInteger(value)) throw new Error(`cursor ${name}: not an integer: ${value}`)
    await this.#db
      .insertInto('kv')
      .values({ key: PREFIX + name, value: String(value), created_at: Date.now() })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ value: String(value) })
          .where(sql<boolean>`cast(kv.value as bigint) < ${value}`),
      )
      .execute()
  }
}
