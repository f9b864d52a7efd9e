import { ChannelType, type SendableChannels, type User } from 'discord.js'
import type { PersonaSummary } from '../../src/core/types.js'
import { isDirect } from './channel-kind.js'
import type { DiscordContext } from './discord-context.js'
import { reportMissingPermission } from './missing-permission.js'
import { BotSurface, type ReplySurface, WebhookSurface } from './reply-surface.js'

/** Where a reply goes; resolved once the persona is known (or null for an early error). */
export interface RenderTarget {
  /** Who asked: only they may stop the reply. */
  readonly ownerId: string
  surfaceFor(persona: PersonaSummary | null): Promise<ReplySurface>
  typing(): Promise<void>
  /** Called when we may not post in the channel (reported to the person once). */
  onPermissionError(err: unknown): Promise<void>
  /** Called with every message id we post, so replies to them are recognised. */
  onPosted(messageId: string): void
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
