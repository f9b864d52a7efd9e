import type { Kysely } from 'kysely'

/**
 * Account merges leave a forwarding address (`account_redirect`), merges of an address that a
 * verified account owns wait for that account's consent (`merge_request`), and the retention
 * sweep finds old rows by index.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('account_redirect')
    .addColumn('from_account_id', 'text', (c) => c.primaryKey())
    .addColumn('to_account_id', 'text', (c) => c.notNull())
    .addColumn('merged_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('account_redirect_to_idx')
    .on('account_redirect')
    .column('to_account_id')
    .execute()

  await db.schema
    .createTable('merge_request')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('from_account_id', 'text', (c) => c.notNull())
    .addColumn('into_account_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('decision', 'text')
    .execute()
  await db.schema
    .createIndex('merge_request_expires_idx')
    .on('merge_request')
    .column('expires_at')
    .execute()

  await db.schema
    .createIndex('stripe_event_processed_idx')
    .on('stripe_event')
    .column('processed_at')
    .execute()
  await db.schema
    .createIndex('email_token_expires_idx')
    .on('email_token')
    .column('expires_at')
    .execute()
  await db.schema
    .createIndex('email_outbox_sent_idx')
    .on('email_outbox')
    .columns(['status', 'sent_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('email_outbox_sent_idx').ifExists().execute()
  await db.schema.dropIndex('email_token_expires_idx').ifExists().execute()
  await db.schema.dropIndex('stripe_event_processed_idx').ifExists().execute()
  await db.schema.dropTable('merge_request').ifExists().execute()
  await db.schema.dropTable('account_redirect').ifExists().execute()
}
