import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../storage/create-database.js'
import type { Database } from '../storage/database.js'
import { dbNowMs } from './db-clock.js'
import type { LeaseGrant, LeaseStore } from './ports.js'

/** `LeaseStore` over the `lease` table: one upsert decides who holds a lease, on both dialects. */
export class SqlLeaseStore implements LeaseStore {
  readonly #db: Kysely<Database>
  readonly #now: ReturnType<typeof dbNowMs>

  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.#db = db
    this.#now = dbNowMs(dialect)
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    const now = this.#now
    const expires = sql<number>`${now} + ${ttlMs}`
    // Insert, or take over when expired, or renew when ours; otherwise the WHERE leaves the
    // row alone and nothing is returned. The row lock of the upsert serializes rivals.
    const row = await this.#db
      .insertInto('lease')
      .values({ name, holder, expires_at: expires, acquired_at: now, generation: 1 })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet((eb) => ({
            holder,
            expires_at: expires,
            acquired_at: sql<number>`case when ${eb.ref('lease.holder')} = ${holder} then ${eb.ref('lease.acquired_at')} else ${now} end`,
            generation: sql<number>`case when ${eb.ref('lease.holder')} = ${holder} then ${eb.ref('lease.generation')} else ${eb.ref('lease.generation')} + 1 end`,
          }))
          .where((eb) =>
            eb.or([eb('lease.holder', '=', holder), eb('lease.expires_at', '<', now)]),
          ),
      )
      .returning(['name', 'holder', 'expires_at', 'acquired_at', 'generation'])
      .executeTakeFirst()
    return row ? toGrant(row) : undefined
  }

  async release(name: string, holder: string): Promise<void> {
    await this.#db
      .deleteFrom('lease')
      .where('name', '=', name)
      .where('holder', '=', holder)
      .execute()
  }

  async releaseAll(holder: string): Promise<void> {
    await this.#db.deleteFrom('lease').where('holder', '=', holder).execute()
  }

  async held(prefix?: string): Promise<LeaseGrant[]> {
    let query = this.#db
      .selectFrom('lease')
      .select(['name', 'holder', 'expires_at', 'acquired_at', 'generation'])
      .where('expires_at', '>=', this.#now)
    if (prefix) query = query.where('name', 'like', `${escapeLike(prefix)}%`)
    const rows = await query.orderBy('name').execute()
    return rows.map(toGrant)
  }

  async now(): Promise<number> {
    const row = await sql<{ now: number }>`select ${this.#now} as now`.execute(this.#db)
    return Number(row.rows[0]?.now)
  }
}

function toGrant(row: {
  name: string
  holder: string
  expires_at: number
  acquired_at: number
  generation: number
}): LeaseGrant {
  return {
    name: row.name,
    holder: row.holder,
    expiresAt: Number(row.expires_at),
    acquiredAt: Number(row.acquired_at),
    generation: Number(row.generation),
  }
}

/** Lease names use `:` as separator; a prefix holding LIKE's wildcards is refused, not escaped. */
function escapeLike(prefix: string): string {
  if (/[%_\\]/.test(prefix)) throw new Error(`lease prefix must not contain % _ or \\: ${prefix}`)
  return prefix
}
