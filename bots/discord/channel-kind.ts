import { type Channel, ChannelType } from 'discord.js'

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
