import { type CreateTableBuilder, type Kysely, PostgresAdapter, sql } from 'kysely'

/** Adds an auto-incrementing id that both dialects order by insertion. */
function withSerialId<T extends { addColumn: CreateTableBuilder<any, any>['addColumn'] }>(
  db: Kysely<any>,
  table: T,
) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? table.addColumn('id', sql`bigserial`, (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('account')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.unique())
    .addColumn('email_verified_at', 'bigint')
    .addColumn('adult_confirmed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('identity')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('platform_user_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) =>
      c.notNull().references('account.id').onDelete('cascade'),
    )
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_pk', ['platform', 'platform_user_id'])
    .execute()
  await db.schema.createIndex('identity_account_idx').on('identity').column('account_id').execute()

  await db.schema
    .createTable('conversation')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scope_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('persona_id', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('summary_up_to', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('conversation_scope_persona_uq', ['scope_key', 'persona_id'])
    .execute()

  await withSerialId(db, db.schema.createTable('message'))
    .addColumn('conversation_id', 'text', (c) =>
      c.notNull().references('conversation.id').onDelete('cascade'),
    )
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('speaker_name', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('prompt_tokens', 'integer')
    .addColumn('completion_tokens', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  // The hot query: newest N messages of one conversation.
  await db.schema
    .createIndex('message_conversation_id_idx')
    .on('message')
    .columns(['conversation_id', 'id'])
    .execute()

  await db.schema
    .createTable('chat_settings')
    .addColumn('scope_key', 'text', (c) => c.primaryKey())
    .addColumn('persona_id', 'text')
    .addColumn('answer_all', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('adult_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('allowed_personas', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('usage_daily')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_daily_pk', ['account_id', 'day'])
    .execute()

  await db.schema
    .createTable('subscription')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('stripe_customer_id', 'text', (c) => c.unique())
    .addColumn('stripe_subscription_id', 'text', (c) => c.unique())
    .addColumn('status', 'text')
    .addColumn('price_id', 'text')
    .addColumn('current_period_end', 'bigint')
    .addColumn('cancel_at_period_end', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('past_due_since', 'bigint')
    .addColumn('last_event_created', 'bigint')
    .addColumn('comp_until', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('stripe_event')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('email_token')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('email_token_account_idx')
    .on('email_token')
    .columns(['account_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('email_token_email_idx')
    .on('email_token')
    .columns(['email', 'created_at'])
    .execute()

  await withSerialId(db, db.schema.createTable('email_outbox'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('email_outbox_due_idx')
    .on('email_outbox')
    .columns(['status', 'next_attempt_at'])
    .execute()

  await db.schema
    .createTable('kv')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'kv',
    'email_outbox',
    'email_token',
    'stripe_event',
    'subscription',
    'usage_daily',
    'chat_settings',
    'message',
    'conversation',
    'identity',
    'account',
  ]) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
