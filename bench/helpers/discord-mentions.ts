import type { DiscordDouble } from '../../tests/doubles/discord-double.js'

/**
 * `count` people mention the bot in #general at the same moment; their ids count up from
 * `firstId` (a Discord snowflake). Returns the authors, in order.
 */
export function mentionAtOnce(
  discord: DiscordDouble,
  count: number,
  firstId: bigint,
): { id: string; username: string }[] {
  const authors = Array.from({ length: count }, (_, i) => ({
    id: String(firstId + BigInt(i)),
    username: `user${i}`,
  }))
  for (const author of authors) {
    discord.injectMessage({
      channelId: discord.channels.general,
      author,
      content: 'go',
      mentionBot: true,
    })
  }
  return authors
}
