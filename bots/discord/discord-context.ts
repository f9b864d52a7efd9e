import {
  type Channel,
  ChannelType,
  type Client,
  type SendableChannels,
  type User,
} from 'discord.js'
import type { ChatCore } from '../../src/core/chat-core.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { PersonaSummary } from '../../src/core/types.js'
import type { CustomIdCodec } from './custom-id.js'
import type { EditScheduler } from './edit-scheduler.js'
import { BotSurface, NO_MENTIONS, type ReplySurface, WebhookSurface } from './reply-surface.js'
import type { RenderTarget } from './stream-renderer.js'
import type { WebhookRegistry } from './webhook-registry.js'

/** A bounded set of recent ids (messages we posted), oldest forgotten first. */
export class RecentIds {
  readonly #ids = new Set<string>()
  readonly #max: number
  constructor(max = 5000) {
    this.#max = max
  }
  add(id: string): void {
    this.#ids.add(id)
    if (this.#ids.size > this.#max) {
      const oldest = this.#ids.values().next().value
      if (oldest !== undefined) this.#ids.delete(oldest)
    }
  }
  has(id: string): boolean {
    return this.#ids.has(id)
  }
}

/** Replies being generated, so `stop()` can cancel them and wait for their final edit. */
export class Inflight {
  readonly #running = new Map<Promise<void>, AbortController>()

  track(controller: AbortController, work: Promise<void>): void {
    const done = work.finally(() => this.#running.delete(done))
    this.#running.set(done, controller)
  }

  /** Aborts every generation and waits (at most `timeoutMs`) for the renders to finish. */
  async drain(timeoutMs: number): Promise<void> {
    for (const controller of this.#running.values()) controller.abort()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs)
    })
    await Promise.race([Promise.allSettled([...this.#running.keys()]), timeout])
    clearTimeout(timer)
  }
}

/** Everything the event handlers share; built once per bot. */
export interface DiscordContext {
  readonly core: ChatCore
  readonly log: Logger
  readonly client: Client
  readonly scheduler: EditScheduler
  readonly codec: CustomIdCodec
  readonly webhooks: WebhookRegistry
  readonly ownMessages: RecentIds
  readonly inflight: Inflight
  /** `${channelId}:${userId}` pairs already told about missing permissions. */
  readonly toldAboutPermissions: Set<string>
}

/** The core's chat id: `${guildId}/${channelId}` in servers (threads are their own chat), else the DM channel. */
export function chatIdFor(channel: Channel): string {
  return 'guildId' in channel && channel.guildId ? `${channel.guildId}/${channel.id}` : channel.id
}

/** True in age-restricted channels (threads inherit their parent's flag). */
export function isAdultChannel(channel: Channel): boolean {
  if (channel.isThread())
    return channel.parent !== null && 'nsfw' in channel.parent && channel.parent.nsfw
  return 'nsfw' in channel && channel.nsfw === true
}

export function isDirect(channel: Channel): boolean {
  return channel.type === ChannelType.DM || channel.type === ChannelType.GroupDM
}

/** Where a reply to `user` in `channel` is rendered: the persona's webhook in servers, else the bot. */
export function renderTargetFor(
  ctx: DiscordContext,
  channel: SendableChannels,
  user: User,
  replyTo: string | undefined,
): RenderTarget {
  return {
    ownerId: user.id,
    surfaceFor: (persona) => surfaceFor(ctx, channel, persona, replyTo),
    typing: () => channel.sendTyping(),
    onPosted: (id) => ctx.ownMessages.add(id),
    onPermissionError: (err) => reportMissingPermission(ctx, channel, user, err),
  }
}

async function surfaceFor(
  ctx: DiscordContext,
  channel: SendableChannels,
  persona: PersonaSummary | null,
  replyTo: string | undefined,
): Promise<ReplySurface> {
  if (persona && !isDirect(channel)) {
    const thread = channel.isThread() ? channel : null
    const base = thread ? thread.parent : channel
    if (
      base &&
      (base.type === ChannelType.GuildText || base.type === ChannelType.GuildAnnouncement)
    ) {
      const hook = await ctx.webhooks.get(base)
      if (hook) {
        return new WebhookSurface(hook, {
          channelKey: channel.id,
          ...(thread ? { threadId: thread.id } : {}),
          name: persona.name,
          ...(persona.avatarUrl ? { avatarUrl: persona.avatarUrl } : {}),
        })
      }
    }
  }
  return new BotSurface(channel, {
    ...(persona ? { personaName: persona.name } : {}),
    ...(replyTo ? { replyTo } : {}),
  })
}

/** Tells the person once (by DM) that we may not post in a channel. Never throws. */
export async function reportMissingPermission(
  ctx: DiscordContext,
  channel: SendableChannels,
  user: User,
  err: unknown,
): Promise<void> {
  const key = `${channel.id}:${user.id}`
  ctx.log.warn({ err, channelId: channel.id, userId: user.id }, 'missing permission in channel')
  if (ctx.toldAboutPermissions.has(key)) return
  ctx.toldAboutPermissions.add(key)
  const where = 'name' in channel && channel.name ? `#${channel.name}` : 'that channel'
  try {
    await user.send({
      content: `I can't answer in ${where}: I'm missing the **Send Messages** (or **View Channel**) permission there. A server admin can grant it in the channel settings.`,
      allowedMentions: NO_MENTIONS,
    })
  } catch (dmErr) {
    ctx.log.warn({ err: dmErr, userId: user.id }, 'could not report missing permission by DM')
  }
}
