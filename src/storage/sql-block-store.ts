import type { Kysely } from 'kysely'
import type { BlockedAccount, BlockStore } from '../core/ports/stores.js'
import type { Database } from './database.js'

/** `BlockStore` over `account_block`: one row per blocked account. */
export class SqlBlockStore implements BlockStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async isBlocked(accountId: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('account_block')
      .select('account_id')
      .where('account_id', '=', accountId)
      .executeTakeFirst()
    return row !== undefined
  }

  /** One conditional update: concurrent messages never get two refusals. */
  async claimRefusal(accountId: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('account_block')
      .set({ refused_at: now })
      .where('account_id', '=', accountId)
      .where('refused_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  async block(accountId: string, blockedBy: string, now: number): Promise<void> {
    await this.#db
      .insertInto('account_block')
      .values({ account_id: accountId, blocked_by: blockedBy, blocked_at: now, refused_at: null })
      .onConflict((oc) =>
        oc.column('account_id').doUpdateSet({ blocked_by: blockedBy, blocked_at: now }),
      )
      .execute()
  }

  async unblock(accountId: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('account_block')
      .where('account_id', '=', accountId)
      .executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  async list(): Promise<BlockedAccount[]> {
    const rows = await this.#db
      .selectFrom('account_block')
      .selectAll()
      .orderBy('blocked_at', 'desc')
      .execute()
    return rows.map((r) => ({
      accountId: r.account_id,
      blockedBy: r.blocked_by,
      blockedAt: Number(r.blocked_at),
    }))
  }
}
