import { ChannelType, type Message, SnowflakeUtil } from 'discord.js'
import { type ChannelActivity, shardKey } from '../../src/coordination/channel-activity.js'
import type { Inbox } from '../../src/coordination/inbox.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { DiscordClientBot } from './discord-bot.js'
import { handleMessage, isReplyToUs } from './message-handler.js'

/** Channels read per catch-up (the most recently active first). */
export const CATCH_UP_CHANNELS = 100
/** A channel counts as one the bot is active in for this long after it was last addressed. */
export const ACTIVE_CHANNEL_MS = 7 * 24 * 60 * 60 * 1000
/** History pages (of 100 messages) read per channel at most. */
const PAGES = 5

export interface CatchUpDeps {
  readonly inbox: Inbox
  readonly activity: ChannelActivity
  /** This replica (claims in the inbox are held in its name). */
  readonly holder: string
  /** How long a claim lasts unrenewed (`REPLICA_TIMEOUT_MS`). */
  readonly claimTtlMs: number
  readonly log: Logger
}

export interface CatchUpTarget {
  readonly bot: DiscordClientBot
  readonly shardId: number
  readonly shardCount: number
  /** `DISCORD_CATCHUP_MS`: how far back to look. */
  readonly catchupMs: number
}

/**
 * After a shard was taken over: messages addressed to the bot in the channels of that shard
 * where it was active, newer than the last one seen there and at most `catchupMs` old, that
 * nobody answered. Each is recorded in the inbox as `discord:<message id>` first, so a message
 * also recorded on arrival (or by another catch-up) is answered once; then the recorded ones
 * are claimed and answered in order per channel. Returns how many were answered.
 */
export async function catchUp(deps: CatchUpDeps, target: CatchUpTarget): Promise<number> {
  if (target.catchupMs <= 0) return 0
  const client = target.bot.context.client
  const botId = client.user?.id
  if (!botId) return 0
  const key = shardKey(target.shardId, target.shardCount)
  const queue = `discord:catchup:${key}`
  const floor = SnowflakeUtil.generate({ timestamp: Date.now() - target.catchupMs })
  const found = new Map<string, Message>()
  await deps.activity.purge(ACTIVE_CHANNEL_MS)
  for (const channel of await deps.activity.recent(key, ACTIVE_CHANNEL_MS, CATCH_UP_CHANNELS)) {
    const after = BigInt(channel.lastMessageId) > floor ? channel.lastMessageId : floor.toString()
    try {
      for (const message of await unanswered(target.bot, channel.channelId, after, botId)) {
        found.set(message.id, message)
      }
    } catch (err) {
      deps.log.warn({ err, channelId: channel.channelId }, 'could not read channel history')
    }
  }
  const recorded = await deps.inbox.record(
    [...found.values()].map((m) => ({
      id: `discord:${m.id}`,
      platform: queue,
      chatKey: m.channelId,
      seq: Number(SnowflakeUtil.timestampFrom(m.id)),
      payload: JSON.stringify({ channelId: m.channelId, messageId: m.id }),
    })),
  )
  if (found.size > 0) {
    deps.log.info(
      { shardId: target.shardId, found: found.size, recorded: recorded.length },
      'discord catch-up: messages sent while the shard had no owner',
    )
  }
  return answerQueued(deps, target.bot, queue, found)
}

/** Messages after `after` in a channel that address the bot, oldest first. */
async function unanswered(
  bot: DiscordClientBot,
  channelId: string,
  after: string,
  botId: string,
): Promise<Message[]> {
  const channel = await bot.context.client.channels.fetch(channelId)
  if (!channel?.isTextBased()) return []
  // Replies to a persona are replies to our webhook: learn its id (a fresh client knows none).
  const base = channel.isThread() ? channel.parent : channel
  if (base?.type === ChannelType.GuildText || base?.type === ChannelType.GuildAnnouncement) {
    await bot.context.webhooks.get(base)
  }
  const out: Message[] = []
  let cursor = after
  for (let page = 0; page < PAGES; page += 1) {
    const batch = await channel.messages.fetch({ after: cursor, limit: 100, cache: false })
    const sorted = [...batch.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
    for (const message of sorted) {
      if (message.author.bot || message.webhookId || message.system) continue
      const addressed =
        message.guildId === null ||
        message.mentions.users.has(botId) ||
        (await isReplyToUs(bot.context, message, botId))
      if (addressed) out.push(message)
    }
    const last = sorted.at(-1)
    if (batch.size < 100 || !last) break
    cursor = last.id
  }
  return out
}

/** Claims the queue's entries (this shard's) and answers them; a dead replica's are taken over. */
async function answerQueued(
  deps: CatchUpDeps,
  bot: DiscordClientBot,
  queue: string,
  known: ReadonlyMap<string, Message>,
): Promise<number> {
  let answered = 0
  for (;;) {
    const claimed = await deps.inbox.claim(queue, deps.holder, deps.claimTtlMs, 20)
    if (claimed.length === 0) return answered
    const ids = claimed.map((c) => c.id)
    const renew = setInterval(
      () => void deps.inbox.renew(ids, deps.holder, deps.claimTtlMs).catch(() => {}),
      Math.max(50, Math.floor(deps.claimTtlMs / 3)),
    )
    try {
      await Promise.all(
        claimed.map(async (entry) => {
          const ref = JSON.parse(entry.payload) as { channelId: string; messageId: string }
          const message = known.get(ref.messageId) ?? (await fetchMessage(bot, ref))
          if (message) {
            await handleMessage(bot.context, message)
            answered += 1
          }
          await deps.inbox.finish(entry.id, deps.holder)
        }),
      )
    } finally {
      clearInterval(renew)
    }
  }
}

async function fetchMessage(
  bot: DiscordClientBot,
  ref: { channelId: string; messageId: string },
): Promise<Message | undefined> {
  const channel = await bot.context.client.channels.fetch(ref.channelId).catch(() => null)
  if (!channel?.isTextBased()) return undefined
  return channel.messages.fetch(ref.messageId).catch(() => undefined)
}
