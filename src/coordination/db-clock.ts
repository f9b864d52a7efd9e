import { type RawBuilder, sql } from 'kysely'
import type { Dialect } from '../storage/create-database.js'

/**
 * The database's clock in epoch milliseconds, as an SQL expression. Replicas on several
 * machines compare heartbeats and lease expiries by one clock (the database's), not by
 * their own, so clock skew between machines cannot hand a lease to two of them.
 */
export function dbNowMs(dialect: Dialect): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
    : sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`
}
