import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../storage/create-database.js'
import type { Database } from '../storage/database.js'
import { dbNowMs } from './db-clock.js'
import type { ReplicaInfo, ReplicaRegistry } from './ports.js'

/** `ReplicaRegistry` over the `replica` table, stamped with the database's clock. */
export class SqlReplicaRegistry implements ReplicaRegistry {
  readonly #db: Kysely<Database>
  readonly #now: ReturnType<typeof dbNowMs>

  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.#db = db
    this.#now = dbNowMs(dialect)
  }

  async heartbeat(replica: Omit<ReplicaInfo, 'heartbeatAt' | 'owns'>): Promise<void> {
    await this.#db
      .insertInto('replica')
      .values({
        id: replica.id,
        host: replica.host,
        pid: replica.pid,
        version: replica.version,
        started_at: replica.startedAt,
        heartbeat_at: this.#now,
        draining: replica.draining ? 1 : 0,
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          heartbeat_at: this.#now,
          draining: replica.draining ? 1 : 0,
        }),
      )
      .execute()
  }

  async live(timeoutMs: number): Promise<ReplicaInfo[]> {
    const now = this.#now
    const rows = await this.#db
      .selectFrom('replica')
      .selectAll()
      .where('heartbeat_at', '>=', sql<number>`${now} - ${timeoutMs}`)
      .orderBy('started_at')
      .orderBy('id')
      .execute()
    if (rows.length === 0) return []
    const leases = await this.#db
      .selectFrom('lease')
      .select(['name', 'holder'])
      .where('expires_at', '>=', now)
      .where(
        'holder',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('name')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      host: r.host,
      pid: Number(r.pid),
      version: r.version,
      startedAt: Number(r.started_at),
      heartbeatAt: Number(r.heartbeat_at),
      draining: r.draining === 1,
      owns: leases.filter((l) => l.holder === r.id).map((l) => l.name),
    }))
  }

  async remove(id: string): Promise<void> {
    await this.#db.deleteFrom('replica').where('id', '=', id).execute()
  }

  async forgetDead(olderThanMs: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('replica')
      .where('heartbeat_at', '<', sql<number>`${this.#now} - ${olderThanMs}`)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }
}
