import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type Client } from 'discord.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { PlatformMessenger } from '../../src/core/ports/messenger.js'
import type { OutgoingNotice } from '../../src/core/types.js'
import { discordChunks } from './discord-markdown.js'
import { NO_MENTIONS } from './reply-surface.js'

/** Direct messages to Discord users (verification results, billing notices...). */
export class DiscordMessenger implements PlatformMessenger {
  readonly platform = 'discord' as const
  readonly #client: Client
  readonly #log: Logger

  constructor(deps: { client: Client; log: Logger }) {
    this.#client = deps.client
    this.#log = deps.log
  }

  async sendDirect(platformUserId: string, notice: OutgoingNotice): Promise<boolean> {
    try {
      const dm = await this.#client.users.createDM(platformUserId)
      const chunks = discordChunks(notice.text)
      if (chunks.length === 0) chunks.push('…')
      const links = (notice.links ?? [])
        .slice(0, 25)
        .map((link) =>
          new ButtonBuilder()
            .setStyle(ButtonStyle.Link)
            .setLabel(link.label.slice(0, 80))
            .setURL(link.url),
        )
      const rows: ActionRowBuilder<ButtonBuilder>[] = []
      for (let i = 0; i < links.length; i += 5) {
        rows.push(new ActionRowBuilder<ButtonBuilder>().addComponents(links.slice(i, i + 5)))
      }
      for (const [i, content] of chunks.entries()) {
        const last = i === chunks.length - 1
        await dm.send({
          content,
          allowedMentions: NO_MENTIONS,
          ...(last ? { components: rows } : {}),
        })
      }
      return true
    } catch (err) {
      this.#log.warn({ err, userId: platformUserId }, 'could not send a Discord direct message')
      return false
    }
  }
}
