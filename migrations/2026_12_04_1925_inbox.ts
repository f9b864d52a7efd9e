import type { Kysely } from 'kysely'

/**
 * Messages and updates are recorded here when they arrive and handled from here: a Telegram
 * update is acknowledged only once recorded, a message waiting when the process drains is
 * answered after the restart (or by another replica), and each is handled once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('chat_key', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claim_expires_at', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reply_ref', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('inbox_open_idx')
    .on('inbox')
    .columns(['platform', 'state', 'seq'])
    .execute()
  // "Is an earlier entry of this chat still open?" — asked for every candidate of a claim.
  await db.schema
    .createIndex('inbox_chat_idx')
    .on('inbox')
    .columns(['platform', 'chat_key', 'state', 'seq'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbox').ifExists().execute()
}
