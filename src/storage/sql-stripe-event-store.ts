import type { Kysely } from 'kysely'
import type { StripeEventStore } from '../billing/billing-stores.js'
import type { Database } from './database.js'

/** `StripeEventStore` over `stripe_event`; the primary key makes duplicates a no-op. */
export class SqlStripeEventStore implements StripeEventStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async record(eventId: string, type: string, created: number, now: number): Promise<boolean> {
    const row = await this.#db
      .insertInto('stripe_event')
      .values({ id: eventId, type, created, processed_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst()
    return row !== undefined
  }
}
