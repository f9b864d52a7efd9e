import type { Kysely } from 'kysely'
import type { KeyValueStore } from '../core/ports/stores.js'
import type { Database } from './database.js'

/** `KeyValueStore` over the `kv` table. */
export class SqlKeyValueStore implements KeyValueStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async get(key: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('kv')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst()
    return row?.value
  }

  async set(key: string, value: string): Promise<void> {
    await this.#db
      .insertInto('kv')
      .values({ key, value, created_at: Date.now() })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute()
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.#db
      .insertInto('kv')
      .values({ key, value, created_at: Date.now() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute()
    const stored = await this.get(key)
    // Only a concurrent delete could get here; the caller's value is then the best answer.
    return stored ?? value
  }

  async claim(key: string, now: number): Promise<boolean> {
    const row = await this.#db
      .insertInto('kv')
      .values({ key, value: 'claimed', created_at: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst()
    return row !== undefined
  }
}
