import type { SendableChannels, User } from 'discord.js'
import type { DiscordContext } from './discord-context.js'
import { NO_MENTIONS } from './reply-surface.js'

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
