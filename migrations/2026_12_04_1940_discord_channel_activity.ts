import type { Kysely } from 'kysely'

/**
 * Discord channels where the bot was addressed lately, per gateway shard: after a shard is
 * taken over, these are the channels whose recent history is read for messages nobody answered.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('discord_channel_activity')
    .addColumn('channel_id', 'text', (c) => c.primaryKey())
    .addColumn('shard_key', 'text', (c) => c.notNull())
    .addColumn('last_message_id', 'text', (c) => c.notNull())
    .addColumn('active_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('discord_channel_activity_shard_idx')
    .on('discord_channel_activity')
    .columns(['shard_key', 'active_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('discord_channel_activity').ifExists().execute()
}
