import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../storage/database.js'
import { dbNowMs } from './db-clock.js'

/** The host's tickets after a step, and those it granted. */
export interface GrantOutcome {
  /** Tickets that got a slot in this step, with the replica that waits for each. */
  readonly granted: readonly { readonly id: number; readonly replica: string }[]
  readonly waiting: number
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
const NOW = dbNowMs('postgres')

/**
 * The GPU queue of all replicas in PostgreSQL. `gpu_host` holds each host's slot count and
 * counters of its running and waiting tickets; its row lock serializes every change of the
 * host's queue. Fast path (one statement each): take a free slot when nobody waits; give it
 * back. Otherwise a grant step under the row lock drops tickets whose lease expired (their
 * replica died), recounts, and gives free slots to the waiting tickets by priority, then
 * arrival. Times are the database's clock.
 */
export class SqlGpuTickets {
  readonly #db: Kysely<Database>
  readonly #leaseMs: number

  constructor(db: Kysely<Database>, options: { leaseMs: number }) {
    this.#db = db
    this.#leaseMs = options.leaseMs
  }

  /** Writes the slot count all replicas use for `host` (the last writer wins). */
  async setCapacity(host: string, concurrency: number): Promise<void> {
    await this.#db
      .insertInto('gpu_host')
      .values({ host, concurrency, updated_at: NOW })
      .onConflict((oc) => oc.column('host').doUpdateSet({ concurrency, updated_at: NOW }))
      .execute()
  }

  /** Takes a slot at once when one is free and nobody waits; the ticket id, or undefined. */
  async tryAcquire(ticket: NewGpuTicket): Promise<(GrantOutcome & { id: number }) | undefined> {
    const { rows } = await sql<{ id: number; running: number; waiting: number }>`
      with slot as (
        update gpu_host set running = running + 1
        where host = ${ticket.host} and waiting = 0 and running < concurrency
        returning running, waiting
      )
      insert into gpu_ticket (host, person, priority, replica, state, enqueued_at, lease_expires_at)
      select ${ticket.host}::text, ${ticket.person}::text, ${ticket.priority}::bigint,
        ${ticket.replica}::text, 'running', ${NOW}, ${NOW} + ${this.#leaseMs}::bigint
      from slot
      returning id, (select running from slot), (select waiting from slot)`.execute(this.#db)
    const row = rows[0]
    if (!row) return undefined
    return { id: Number(row.id), granted: [], running: row.running, waiting: row.waiting }
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

  /** Removes a ticket (finished or abandoned); when others wait, gives them the slot. */
  async release(host: string, id: number): Promise<GrantOutcome> {
    const { rows } = await sql<{ running: number; waiting: number }>`
      with gone as (delete from gpu_ticket where id = ${id} returning state)
      update gpu_host set
        running = greatest(running - (select count(*) from gone where state = 'running'), 0),
        waiting = greatest(waiting - (select count(*) from gone where state = 'waiting'), 0)
      where host = ${host}
      returning running, waiting`.execute(this.#db)
    const counts = rows[0]
    if (counts && counts.waiting === 0) return { granted: [], ...counts }
    return this.grant(host)
  }

  /** A grant step alone: after a replica died, a missed signal, or a new slot count. */
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
      .set({ lease_expires_at: sql<number>`${NOW} + ${this.#leaseMs}::bigint` })
      .where('replica', '=', replica)
      .execute()
  }

  /** Runs `fn` in a transaction holding the host's row lock, with the database's clock. */
  #locked<T>(host: string, fn: (trx: Transaction<Database>, now: number) => Promise<T>) {
    return this.#db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ now: number }>`
        select ${NOW} as now from gpu_host where host = ${host} for update`.execute(trx)
      const now = rows[0]?.now
      if (now === undefined) throw new Error(`GPU host ${host} has no slot count`)
      return fn(trx, Number(now))
    })
  }

  async #grant(trx: Transaction<Database>, host: string, now: number): Promise<GrantOutcome> {
    const { rows } = await sql<{ capacity: number; running: number; waiting: number }>`
      with gone as (
        delete from gpu_ticket where host = ${host} and lease_expires_at <= ${now}
      )
      select (select concurrency from gpu_host where host = ${host}) as capacity,
        count(*) filter (where state = 'running') as running,
        count(*) filter (where state = 'waiting') as waiting
      from gpu_ticket where host = ${host} and lease_expires_at > ${now}`.execute(trx)
    let running = Number(rows[0]?.running ?? 0)
    let waiting = Number(rows[0]?.waiting ?? 0)
    const free = Math.max(0, Number(rows[0]?.capacity ?? 1) - running)
    let granted: { id: number; replica: string }[] = []
    if (free > 0 && waiting > 0) {
      granted = await trx
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
      running += granted.length
      waiting -= granted.length
    }
    await trx.updateTable('gpu_host').set({ running, waiting }).where('host', '=', host).execute()
    return {
      granted: granted.map((g) => ({ id: Number(g.id), replica: g.replica })),
      running,
      waiting,
    }
  }
}
