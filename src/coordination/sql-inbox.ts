import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../storage/create-database.js'
import type { Database } from '../storage/database.js'
import { dbNowMs } from './db-clock.js'
import type { ClaimedEntry, Inbox, InboxEntry } from './inbox.js'

/** A claim is held while `claimed` (the chat's next entry waits) and while `taken`. */
const HELD = ['claimed', 'taken']
/** Every state but `done`, spelled out so the per-chat check seeks an index instead of scanning. */
const OPEN = ['pending', ...HELD]

/** `Inbox` over the `inbox` table; on PostgreSQL, rival claimants skip each other's rows. */
export class SqlInbox implements Inbox {
  readonly #db: Kysely<Database>
  readonly #dialect: Dialect
  readonly #now: ReturnType<typeof dbNowMs>

  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.#db = db
    this.#dialect = dialect
    this.#now = dbNowMs(dialect)
  }

  async record(entries: readonly InboxEntry[]): Promise<string[]> {
    if (entries.length === 0) return []
    const rows = await this.#db
      .insertInto('inbox')
      .values(
        entries.map((e) => ({
          id: e.id,
          platform: e.platform,
          chat_key: e.chatKey,
          seq: e.seq,
          payload: e.payload,
          state: 'pending',
          claimed_by: null,
          claim_expires_at: null,
          reply_ref: null,
          received_at: this.#now,
          finished_at: null,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute()
    return rows.map((r) => r.id)
  }

  async claim(
    platform: string,
    holder: string,
    ttlMs: number,
    limit: number,
  ): Promise<ClaimedEntry[]> {
    const now = this.#now
    let candidates = this.#db
      .selectFrom('inbox as i')
      .select('i.id')
      .where('i.platform', '=', platform)
      .where((eb) =>
        eb.or([
          eb('i.state', '=', 'pending'),
          eb.and([eb('i.state', 'in', HELD), eb('i.claim_expires_at', '<', now)]),
        ]),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('inbox as j')
              .select('j.id')
              .whereRef('j.platform', '=', 'i.platform')
              .whereRef('j.chat_key', '=', 'i.chat_key')
              .whereRef('j.seq', '<', 'i.seq')
              .where('j.state', 'in', OPEN)
              // Taken by this holder: it is in this replica's own queue, which keeps the order.
              .where((w) =>
                w.not(
                  w.and([
                    w('j.state', '=', 'taken'),
                    w('j.claimed_by', '=', holder),
                    w('j.claim_expires_at', '>=', now),
                  ]),
                ),
              ),
          ),
        ),
      )
      .orderBy('i.seq')
      .limit(limit)
    if (this.#dialect === 'postgres') candidates = candidates.forUpdate().skipLocked()
    const rows = await this.#db
      .updateTable('inbox')
      .set((eb) => ({
        state: 'claimed',
        claimed_by: holder,
        claim_expires_at: sql<number>`${now} + ${ttlMs}`,
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', 'in', candidates)
      .returning(['id', 'platform', 'chat_key', 'seq', 'payload', 'attempts', 'reply_ref'])
      .execute()
    return rows
      .map((r) => ({
        id: r.id,
        platform: r.platform,
        chatKey: r.chat_key,
        seq: Number(r.seq),
        payload: r.payload,
        attempts: Number(r.attempts),
        replyRef: r.reply_ref,
      }))
      .sort((a, b) => a.seq - b.seq)
  }

  async renew(ids: readonly string[], holder: string, ttlMs: number): Promise<string[]> {
    if (ids.length === 0) return []
    const rows = await this.#db
      .updateTable('inbox')
      .set({ claim_expires_at: sql<number>`${this.#now} + ${ttlMs}` })
      .where('id', 'in', [...ids])
      .where('claimed_by', '=', holder)
      .where('state', 'in', HELD)
      .returning('id')
      .execute()
    return rows.map((r) => r.id)
  }

  async taken(id: string, holder: string): Promise<void> {
    await this.#db
      .updateTable('inbox')
      .set({ state: 'taken' })
      .where('id', '=', id)
      .where('claimed_by', '=', holder)
      .where('state', '=', 'claimed')
      .execute()
  }

  async replyStarted(id: string, holder: string, replyRef: string): Promise<void> {
    await this.#db
      .updateTable('inbox')
      .set({ reply_ref: replyRef })
      .where('id', '=', id)
      .where('claimed_by', '=', holder)
      .execute()
  }

  async finish(id: string, holder: string): Promise<void> {
    await this.#db
      .updateTable('inbox')
      .set({ state: 'done', payload: '', finished_at: this.#now, claim_expires_at: null })
      .where('id', '=', id)
      .where('claimed_by', '=', holder)
      .execute()
  }

  async release(id: string, holder: string): Promise<void> {
    await this.#db
      .updateTable('inbox')
      .set({ state: 'pending', claimed_by: null, claim_expires_at: null })
      .where('id', '=', id)
      .where('claimed_by', '=', holder)
      .where('state', 'in', HELD)
      .execute()
  }

  async open(platform?: string): Promise<number> {
    let query = this.#db
      .selectFrom('inbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '<>', 'done')
    if (platform) query = query.where('platform', '=', platform)
    const row = await query.executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  async purgeDone(olderThanMs: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('inbox')
      .where('state', '=', 'done')
      .where('finished_at', '<', sql<number>`${this.#now} - ${olderThanMs}`)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }
}
