import type { Kysely, Selectable } from 'kysely'
import type { MergeRequestRecord, MergeRequestStore } from '../email/email-stores.js'
import type { Database, MergeRequestTable } from './database.js'

/** `MergeRequestStore` over `merge_request` (only the approval token's SHA-256 is stored). */
export class SqlMergeRequestStore implements MergeRequestStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async insert(request: MergeRequestRecord): Promise<void> {
    await this.#db
      .insertInto('merge_request')
      .values({
        token_hash: request.tokenHash,
        from_account_id: request.fromAccountId,
        into_account_id: request.intoAccountId,
        email: request.email,
        created_at: request.createdAt,
        expires_at: request.expiresAt,
        decided_at: request.decidedAt,
        decision: request.decision,
      })
      .execute()
  }

  async find(tokenHash: string): Promise<MergeRequestRecord | undefined> {
    const row = await this.#db
      .selectFrom('merge_request')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst()
    return row ? toRecord(row) : undefined
  }

  async decide(
    tokenHash: string,
    decision: 'approved' | 'refused',
    now: number,
  ): Promise<MergeRequestRecord | undefined> {
    const updated = await this.#db
      .updateTable('merge_request')
      .set({ decision, decided_at: now })
      .where('token_hash', '=', tokenHash)
      .where('decided_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) !== 1) return undefined
    return this.find(tokenHash)
  }
}

function toRecord(row: Selectable<MergeRequestTable>): MergeRequestRecord {
  return {
    tokenHash: row.token_hash,
    fromAccountId: row.from_account_id,
    intoAccountId: row.into_account_id,
    email: row.email,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
    decision: row.decision === 'approved' || row.decision === 'refused' ? row.decision : null,
  }
}
