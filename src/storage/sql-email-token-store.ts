import type { Kysely, Selectable } from 'kysely'
import type { EmailTokenRecord, EmailTokenStore } from '../email/email-stores.js'
import type { Database, EmailTokenTable } from './database.js'

/** `EmailTokenStore` over `email_token`; only token hashes are stored. */
export class SqlEmailTokenStore implements EmailTokenStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async insert(token: EmailTokenRecord): Promise<void> {
    await this.#db
      .insertInto('email_token')
      .values({
        token_hash: token.tokenHash,
        account_id: token.accountId,
        email: token.email,
        expires_at: token.expiresAt,
        used_at: token.usedAt,
        created_at: token.createdAt,
      })
      .execute()
  }

  async find(tokenHash: string): Promise<EmailTokenRecord | undefined> {
    const row = await this.#db
      .selectFrom('email_token')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst()
    return row ? toToken(row) : undefined
  }

  async consume(tokenHash: string, now: number): Promise<EmailTokenRecord | undefined> {
    const row = await this.#db
      .updateTable('email_token')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst()
    return row ? toToken(row) : undefined
  }

  /** Both filters given means both must match. */
  async countSince(
    filter: { accountId?: string; email?: string },
    sinceMs: number,
  ): Promise<number> {
    let query = this.#db
      .selectFrom('email_token')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('created_at', '>=', sinceMs)
    if (filter.accountId !== undefined) query = query.where('account_id', '=', filter.accountId)
    if (filter.email !== undefined) query = query.where('email', '=', filter.email)
    const row = await query.executeTakeFirstOrThrow()
    return Number(row.n)
  }
}

function toToken(row: Selectable<EmailTokenTable>): EmailTokenRecord {
  return {
    tokenHash: row.token_hash,
    accountId: row.account_id,
    email: row.email,
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
    createdAt: Number(row.created_at),
  }
}
