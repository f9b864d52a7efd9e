import type { Kysely } from 'kysely'
import type { Database } from './database.js'

export interface ConsoleSession {
  /** The admin as `platform:id`, as listed in ADMINS. */
  readonly admin: string
  readonly csrfToken: string
  readonly expiresAt: number
}

/**
 * Console sign-in sessions keyed by the SHA-256 of the cookie value: the raw id never reaches
 * the database, so a copy of it cannot be replayed as a cookie.
 */
export class SqlConsoleSessionStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async create(idHash: string, session: ConsoleSession, now: number): Promise<void> {
    // Expired sessions go whenever a new one starts.
    await this.#db.deleteFrom('console_session').where('expires_at', '<=', now).execute()
    await this.#db
      .insertInto('console_session')
      .values({
        id_hash: idHash,
        admin: session.admin,
        csrf_token: session.csrfToken,
        created_at: now,
        expires_at: session.expiresAt,
      })
      .execute()
  }

  /** The live session of this hash; undefined when absent or expired. */
  async find(idHash: string, now: number): Promise<ConsoleSession | undefined> {
    const row = await this.#db
      .selectFrom('console_session')
      .select(['admin', 'csrf_token', 'expires_at'])
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .executeTakeFirst()
    return row
      ? { admin: row.admin, csrfToken: row.csrf_token, expiresAt: Number(row.expires_at) }
      : undefined
  }

  async delete(idHash: string): Promise<void> {
    await this.#db.deleteFrom('console_session').where('id_hash', '=', idHash).execute()
  }

  /** Ends every session; returns how many were live. */
  async deleteAll(now: number): Promise<number> {
    const live = await this.#db
      .selectFrom('console_session')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow()
    await this.#db.deleteFrom('console_session').execute()
    return Number(live.n)
  }
}
