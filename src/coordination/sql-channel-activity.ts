import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../storage/create-database.js'
import type { Database } from '../storage/database.js'
import type { ChannelActivity } from './channel-activity.js'
import { dbNowMs } from './db-clock.js'

/** `ChannelActivity` over the `discord_channel_activity` table (both dialects). */
export class SqlChannelActivity implements ChannelActivity {
  readonly #db: Kysely<Database>
  readonly #now: ReturnType<typeof dbNowMs>

  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.#db = db
    this.#now = dbNowMs(dialect)
  }

  async note(channelId: string, shardKey: string, messageId: string): Promise<void> {
    await this.#db
      .insertInto('discord_channel_activity')
      .values({
        channel_id: channelId,
        shard_key: shardKey,
        last_message_id: messageId,
        active_at: this.#now,
      })
      .onConflict((oc) =>
        oc.column('channel_id').doUpdateSet((eb) => {
          const old = eb.ref('discord_channel_activity.last_message_id')
          const mine = eb.ref('excluded.last_message_id')
          // Snowflakes as text: the longer one, or at equal length the larger one, is newer.
          const newer = sql<boolean>`length(${mine}) > length(${old}) or (length(${mine}) = length(${old}) and ${mine} > ${old})`
          return {
            shard_key: shardKey,
            active_at: this.#now,
            last_message_id: sql<string>`case when ${newer} then ${mine} else ${old} end`,
          }
        }),
      )
      .execute()
  }

  async recent(
    shardKey: string,
    withinMs: number,
    limit: number,
  ): Promise<{ channelId: string; lastMessageId: string }[]> {
    const rows = await this.#db
      .selectFrom('discord_channel_activity')
      .select(['channel_id', 'last_message_id'])
      .where('shard_key', '=', shardKey)
      .where('active_at', '>=', sql<number>`${this.#now} - ${withinMs}`)
      .orderBy('active_at', 'desc')
      .limit(limit)
      .execute()
    return rows.map((r) => ({ channelId: r.channel_id, lastMessageId: r.last_message_id }))
  }

  async purge(olderThanMs: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('discord_channel_activity')
      .where('active_at', '<', sql<number>`${this.#now} - ${olderThanMs}`)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }
}
