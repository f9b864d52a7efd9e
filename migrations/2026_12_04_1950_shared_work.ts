import { type CreateTableBuilder, type Kysely, PostgresAdapter, sql } from 'kysely'

function withSerialId<T extends { addColumn: CreateTableBuilder<any, any>['addColumn'] }>(
  db: Kysely<any>,
  table: T,
) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? table.addColumn('id', sql`bigserial`, (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
}

/**
 * Work shared by several processes on one PostgreSQL: one GPU queue per Ollama host
 * (`gpu_ticket`; `gpu_host` holds each host's slot count and its running/waiting counters) and leased outbox rows
 * (`claimed_by` until `claim_expires_at`). Times are the database's clock in epoch ms.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withSerialId(db, db.schema.createTable('gpu_ticket'))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('person', 'text', (c) => c.notNull())
    .addColumn('priority', 'bigint', (c) => c.notNull())
    .addColumn('replica', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('enqueued_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_expires_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('gpu_ticket_host_idx')
    .on('gpu_ticket')
    .columns(['host', 'state', 'priority'])
    .execute()
  await db.schema.createIndex('gpu_ticket_replica_idx').on('gpu_ticket').column('replica').execute()

  await db.schema
    .createTable('gpu_host')
    .addColumn('host', 'text', (c) => c.primaryKey())
    .addColumn('concurrency', 'integer', (c) => c.notNull())
    .addColumn('running', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('waiting', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema.alterTable('email_outbox').addColumn('claimed_by', 'text').execute()
  await db.schema.alterTable('email_outbox').addColumn('claim_expires_at', 'bigint').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_outbox').dropColumn('claim_expires_at').execute()
  await db.schema.alterTable('email_outbox').dropColumn('claimed_by').execute()
  await db.schema.dropTable('gpu_host').ifExists().execute()
  await db.schema.dropTable('gpu_ticket').ifExists().execute()
}
