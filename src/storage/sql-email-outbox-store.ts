import { type Kysely, PostgresAdapter, type Selectable, sql } from 'kysely'
import { dbNowMs } from '../coordination/db-clock.js'
import type {
  EmailOutboxStore,
  NewOutboxMessage,
  OutboxMessage,
  OutboxStatus,
} from '../email/email-stores.js'
import type { Database, EmailOutboxTable } from './database.js'

/** `EmailOutboxStore` over `email_outbox`; `dedupe_key` is unique (NULLs never clash). */
export class SqlEmailOutboxStore implements EmailOutboxStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async enqueue(message: NewOutboxMessage): Promise<boolean> {
    const row = await this.#db
      .insertInto('email_outbox')
      .values({
        kind: message.kind,
        to_address: message.to,
        subject: message.subject,
        text_body: message.text,
        html_body: message.html,
        status: 'pending',
        attempts: 0,
        next_attempt_at: message.createdAt,
        last_error: null,
        dedupe_key: message.dedupeKey ?? null,
        created_at: message.createdAt,
        sent_at: null,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .executeTakeFirst()
    return row !== undefined
  }

  /** Served by the `(status, next_attempt_at)` index. */
  async due(now: number, limit: number): Promise<OutboxMessage[]> {
    const rows = await this.#db
      .selectFrom('email_outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute()
    return rows.map(toOutboxMessage)
  }

  /**
   * Leases up to `limit` due messages to `claimer` for `leaseMs` (database clock), skipping
   * those another claimer holds unexpired (its own are claimed again). On PostgreSQL the rows are picked with
   * `FOR UPDATE SKIP LOCKED`, so replicas polling at once never claim the same message.
   */
  async claim(
    now: number,
    limit: number,
    claimer: string,
    leaseMs: number,
  ): Promise<OutboxMessage[]> {
    const postgres = this.#db.getExecutor().adapter instanceof PostgresAdapter
    const dbNow = dbNowMs(postgres ? 'postgres' : 'sqlite')
    const rows = await this.#db
      .updateTable('email_outbox')
      .set({ claimed_by: claimer, claim_expires_at: sql<number>`${dbNow} + ${leaseMs}` })
      .where('id', 'in', (eb) => {
        const due = eb
          .selectFrom('email_outbox')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', now)
          .where((w) =>
            w.or([
              w('claim_expires_at', 'is', null),
              w('claim_expires_at', '<=', dbNow),
              // Its own rows left over from an interrupted pass (passes never overlap).
              w('claimed_by', '=', claimer),
            ]),
          )
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(limit)
        return postgres ? due.forUpdate().skipLocked() : due
      })
      .returningAll()
      .execute()
    return rows
      .map(toOutboxMessage)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id)
  }

  async extendClaim(id: number, claimer: string, leaseMs: number): Promise<boolean> {
    const postgres = this.#db.getExecutor().adapter instanceof PostgresAdapter
    const dbNow = dbNowMs(postgres ? 'postgres' : 'sqlite')
    const result = await this.#db
      .updateTable('email_outbox')
      .set({ claim_expires_at: sql<number>`${dbNow} + ${leaseMs}` })
      .where('id', '=', id)
      .where('claimed_by', '=', claimer)
      .where('status', '=', 'pending')
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  async markSent(id: number, now: number): Promise<void> {
    await this.#db
      .updateTable('email_outbox')
      .set((eb) => ({
        status: 'sent',
        sent_at: now,
        attempts: eb('attempts', '+', 1),
        ...UNCLAIMED,
      }))
      .where('id', '=', id)
      .execute()
  }

  async markRetry(id: number, error: string, nextAttemptAt: number): Promise<void> {
    await this.#db
      .updateTable('email_outbox')
      .set((eb) => ({
        status: 'pending',
        last_error: error,
        next_attempt_at: nextAttemptAt,
        attempts: eb('attempts', '+', 1),
        ...UNCLAIMED,
      }))
      .where('id', '=', id)
      .execute()
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.#db
      .updateTable('email_outbox')
      .set((eb) => ({
        status: 'failed',
        last_error: error,
        attempts: eb('attempts', '+', 1),
        ...UNCLAIMED,
      }))
      .where('id', '=', id)
      .execute()
  }

  async counts(): Promise<Record<OutboxStatus, number>> {
    const rows = await this.#db
      .selectFrom('email_outbox')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute()
    const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 }
    for (const row of rows) {
      if (row.status === 'pending' || row.status === 'sent' || row.status === 'failed') {
        counts[row.status] = Number(row.n)
      }
    }
    return counts
  }
}

const UNCLAIMED = { claimed_by: null, claim_expires_at: null }

function toOutboxMessage(row: Selectable<EmailOutboxTable>): OutboxMessage {
  return {
    id: Number(row.id),
    kind: row.kind,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    status: row.status as OutboxStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
  }
}
