import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../storage/database.js'
import { dbNowMs } from './db-clock.js'

/** What a grant step saw and did on one host. */
export interface GrantOutcome {
  /** Tickets that got a slot in this step, with the replica that waits for each. */
  readonly granted: readonly { readonly id: number; readonly replica: string }[]
  /** Live tickets waiting after the step. */
  readonly waiting: number
  /** Live tickets running after the step. */
  readonly running: number
}

export interface NewGpuTicket {
  readonly host: string
  readonly person: string
  /** Tier and retry priority; the person's round across replicas is subtracted here. */
  readonly priority: number
  readonly replica: string
}

/** One of this replica's tickets: granted or not, and its place among those waiting. */
export interface TicketState {
  readonly id: number
  readonly running: boolean
  readonly position: number
}

const MAX_ROUND = 999_999

/**
 * The GPU queue of all replicas in PostgreSQL (`gpu_ticket`, `gpu_host`). Every change to a
 * host's queue runs under `pg_advisory_xact_lock` on that host, and ends with a grant step:
 * drop tickets whose lease expired (their replica died), count running tickets, and give free
 * slots to the waiting tickets by priority then arrival. Times are the database's clock.
 */
export class SqlGpuTickets {
  readonly #db: Kysely<Database>
  readonly #lockPrefix: string
  readonly #leaseMs: number

  constructor(db: Kysely<Database>, options: { lockPrefix: string; leaseMs: number }) {
    this.#db = db
    this.#lockPrefix = options.lockPrefix
    this.#leaseMs = options.leaseMs
  }

  /** Writes the slot count all replicas use for `host` (the last writer wins). */
  async setCapacity(host: string, concurrency: number): Promise<void> {
    const now = dbNowMs('postgres')
    await this.#db
      .insertInto('gpu_host')
      .values({ host, concurrency, updated_at: now })
      .onConflict((oc) => oc.column('host').doUpdateSet({ concurrency, updated_at: now }))
      .execute()
  }

  /** Adds a waiting ticket and runs a grant step; the ticket may be granted at once. */
  enqueue(ticket: NewGpuTicket): Promise<GrantOutcome & { readonly id: number }> {
    return this.#locked(ticket.host, async (trx, now) => {
      const { rows } = await sql<{ id: number }>`
        insert into gpu_ticket (host, person, priority, replica, state, enqueued_at, lease_expires_at)
        select ${ticket.host}::text, ${ticket.person}::text,
          ${ticket.priority}::bigint - least(count(*), ${MAX_ROUND}::bigint), ${ticket.replica}::text,
          'waiting', ${now}::bigint, ${now + this.#leaseMs}::bigint
        from gpu_ticket where person = ${ticket.person} and lease_expires_at > ${now}
        returning id`.execute(trx)
      const id = Number(rows[0]?.id)
      return { id, ...(await this.#grant(trx, ticket.host, now)) }
    })
  }

  /** Removes a ticket (finished or abandoned) and gives its slot to the next in line. */
  release(host: string, id: number): Promise<GrantOutcome> {
    return this.#locked(host, async (trx, now) => {
      await trx.deleteFrom('gpu_ticket').where('id', '=', id).execute()
      return this.#grant(trx, host, now)
    })
  }

  /** A grant step alone: after a replica died or the slot count changed. */
  grant(host: string): Promise<GrantOutcome> {
    return this.#locked(host, (trx, now) => this.#grant(trx, host, now))
  }

  /** This replica's tickets on `host`: granted or not, and the place in line of each. */
  async mine(host: string, replica: string): Promise<TicketState[]> {
    const { rows } = await sql<{ id: number; state: string; ahead: number }>`
      select t.id, t.state, (
        select count(*) from gpu_ticket w
        where w.host = t.host and w.state = 'waiting'
          and (w.priority > t.priority or (w.priority = t.priority and w.id < t.id))
      ) as ahead
      from gpu_ticket t where t.host = ${host} and t.replica = ${replica}`.execute(this.#db)
    return rows.map((r) => ({
      id: Number(r.id),
      running: r.state === 'running',
      position: Number(r.ahead) + 1,
    }))
  }

  /** Extends the lease of every ticket of `replica` (it is alive and still wants them). */
  async renew(replica: string): Promise<void> {
    await this.#db
      .updateTable('gpu_ticket')
      .set({ lease_expires_at: sql<number>`${dbNowMs('postgres')} + ${this.#leaseMs}::bigint` })
      .where('replica', '=', replica)
      .execute()
  }

  #locked<T>(host: string, fn: (trx: Transaction<Database>, now: number) => Promise<T>) {
    return this.#db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ now: number }>`
        select ${dbNowMs('postgres')} as now,
          pg_advisory_xact_lock(hashtext(${`${this.#lockPrefix}${host}`})) is null as locked`.execute(
        trx,
      )
      return fn(trx, Number(rows[0]?.now))
    })
  }

  async #grant(trx: Transaction<Database>, host: string, now: number): Promise<GrantOutcome> {
    const { rows } = await sql<{ capacity: number | null; running: number; waiting: number }>`
      with gone as (
        delete from gpu_ticket where host = ${host} and lease_expires_at <= ${now}
      )
      select (select concurrency from gpu_host where host = ${host}) as capacity,
        count(*) filter (where state = 'running') as running,
        count(*) filter (where state = 'waiting') as waiting
      from gpu_ticket where host = ${host} and lease_expires_at > ${now}`.execute(trx)
    const counts = rows[0]
    const running = Number(counts?.running ?? 0)
    const waiting = Number(counts?.waiting ?? 0)
    const free = Math.max(0, Number(counts?.capacity ?? 1) - running)
    if (free === 0 || waiting === 0) return { granted: [], running, waiting }
    const granted = await trx
      .updateTable('gpu_ticket')
      .set({ state: 'running', lease_expires_at: now + this.#leaseMs })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('gpu_ticket')
          .select('id')
          .where('host', '=', host)
          .where('state', '=', 'waiting')
          .where('lease_expires_at', '>', now)
          .orderBy('priority', 'desc')
          .orderBy('id')
          .limit(free),
      )
      .returning(['id', 'replica'])
      .execute()
    return {
      granted: granted.map((g) => ({ id: Number(g.id), replica: g.replica })),
      running: running + granted.length,
      waiting: waiting - granted.length,
    }
  }
}
