import type { Kysely } from 'kysely'
import type { AuditEntry, AuditLog } from '../core/ports/stores.js'
import type { Database } from './database.js'

/** `AuditLog` over `audit_log`, append-only. */
export class SqlAuditLog implements AuditLog {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.#db
      .insertInto('audit_log')
      .values({
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        detail: entry.detail,
        created_at: entry.createdAt,
      })
      .execute()
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    const rows = await this.#db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map((r) => ({
      actor: r.actor,
      action: r.action,
      target: r.target,
      detail: r.detail,
      createdAt: Number(r.created_at),
    }))
  }
}
