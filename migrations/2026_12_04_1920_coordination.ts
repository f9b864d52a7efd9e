import type { Kysely } from 'kysely'

/**
 * Several processes on one PostgreSQL act as one bot: each registers as a replica and
 * heartbeats; named leases (the Telegram poller, a Discord shard, …) have one holder at a time
 * and expire when their holder stops renewing them. Times are the database's clock in epoch ms.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('replica')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .addColumn('draining', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()

  await db.schema
    .createTable('lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('acquired_at', 'bigint', (c) => c.notNull())
    .addColumn('generation', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('lease_holder_idx').on('lease').column('holder').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lease').ifExists().execute()
  await db.schema.dropTable('replica').ifExists().execute()
}
