/**
 * Where the bot was addressed lately, per Discord gateway shard. A replica that takes a shard
 * over reads the recent history of these channels to answer what arrived while the shard had
 * no owner. Bounded: only channels active within a window are kept and read.
 */
export interface ChannelActivity {
  /** Notes a message addressed to the bot; keeps the newest message id per channel. */
  note(channelId: string, shardKey: string, messageId: string): Promise<void>
  /** Channels of `shardKey` active within `withinMs`, most recent first, at most `limit`. */
  recent(
    shardKey: string,
    withinMs: number,
    limit: number,
  ): Promise<{ readonly channelId: string; readonly lastMessageId: string }[]>
  /** Forgets channels not active for `olderThanMs`; returns how many. */
  purge(olderThanMs: number): Promise<number>
}

/** The shard key stored with a channel: its shard under one shard count. */
export function shardKey(shardId: number, shardCount: number): string {
  return `${shardId}/${shardCount}`
}
