import { type Kysely, PostgresAdapter, sql } from 'kysely'

/**
 * The operator console: sign-in sessions (hashed ids), the audit log, blocked people, and the
 * daily rollups the usage charts read (maintained when usage is recorded, never scanned from
 * `message`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('console_session')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('admin', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute()

  const audit = db.schema.createTable('audit_log')
  await (db.getExecutor().adapter instanceof PostgresAdapter
    ? audit.addColumn('id', sql`bigserial`, (c) => c.primaryKey())
    : audit.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
  )
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('audit_log_created_idx')
    .on('audit_log')
    .column('created_at')
    .execute()

  await db.schema
    .createTable('account_block')
    .addColumn('account_id', 'text', (c) =>
      c.primaryKey().references('account.id').onDelete('cascade'),
    )
    .addColumn('blocked_by', 'text', (c) => c.notNull())
    .addColumn('blocked_at', 'bigint', (c) => c.notNull())
    .addColumn('refused_at', 'bigint')
    .execute()

  await db.schema
    .createTable('usage_rollup')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('persona_id', 'text', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_rollup_pk', ['day', 'platform', 'persona_id'])
    .execute()

  await db.schema
    .createTable('active_daily')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('active_daily_pk', ['day', 'platform', 'account_id'])
    .execute()

  await db.schema
    .createTable('premium_daily')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('members', 'integer', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('revenue_daily')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('payments', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('revenue_daily_pk', ['day', 'source', 'currency'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'revenue_daily',
    'premium_daily',
    'active_daily',
    'usage_rollup',
    'account_block',
    'audit_log',
    'console_session',
  ]) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
