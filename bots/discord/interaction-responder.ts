import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
  MessageFlags,
} from 'discord.js'
import type { CommandReply } from '../../src/core/command.js'
import type { Logger } from '../../src/core/ports/logger.js'
import { fileBytes } from '../shared/file-bytes.js'
import type { CustomIdCodec } from './custom-id.js'
import { discordChunks } from './discord-markdown.js'
import { type ButtonRow, NO_MENTIONS } from './reply-surface.js'

type State = 'none' | 'deferred' | 'replied'

/** Link buttons and command buttons of a reply, five per row, at most five rows. */
export function replyButtons(reply: CommandReply, codec: CustomIdCodec): ButtonRow[] {
  const buttons: ButtonBuilder[] = []
  for (const link of reply.links ?? []) {
    buttons.push(
      new ButtonBuilder()
        .setStyle(ButtonStyle.Link)
        .setLabel(link.label.slice(0, 80))
        .setURL(link.url),
    )
  }
  for (const action of reply.actions ?? []) {
    buttons.push(
      new ButtonBuilder()
        .setStyle(ButtonStyle.Secondary)
        .setLabel(action.label.slice(0, 80))
        .setCustomId(codec.encode({ kind: 'command', command: action.command, args: action.args })),
    )
  }
  const rows: ButtonRow[] = []
  for (let i = 0; i < buttons.length && rows.length < 5; i += 5) {
    rows.push(new ActionRowBuilder<ButtonBuilder>().addComponents(buttons.slice(i, i + 5)))
  }
  return rows
}

/**
 * Answers one interaction: the first answer replies (or edits the deferred reply), later
 * answers follow up. Calls are serialised, so a defer racing a reply never double-acknowledges.
 */
export class InteractionResponder {
  readonly #interaction: ChatInputCommandInteraction | ButtonInteraction
  readonly #codec: CustomIdCodec
  readonly #log: Logger
  #state: State = 'none'
  #chain: Promise<unknown> = Promise.resolve()

  constructor(
    interaction: ChatInputCommandInteraction | ButtonInteraction,
    deps: { codec: CustomIdCodec; log: Logger },
  ) {
    this.#interaction = interaction
    this.#codec = deps.codec
    this.#log = deps.log
  }

  #serial(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(step)
    this.#chain = next.catch(() => undefined)
    return next
  }

  /** Shows "thinking…" so Discord keeps the interaction open past 3 s. Never rejects. */
  defer(): Promise<void> {
    return this.#serial(async () => {
      if (this.#state !== 'none') return
      await this.#interaction.deferReply()
      this.#state = 'deferred'
    }).catch((err: unknown) => this.#log.warn({ err }, 'could not defer the interaction'))
  }

  reply(reply: CommandReply): Promise<void> {
    return this.#serial(async () => {
      // Personal answers (email, plan, links, files) are never posted in the channel.
      const ephemeral = reply.ephemeral === true || reply.personal === true
      const chunks = discordChunks(reply.text)
      if (chunks.length === 0) chunks.push('…')
      const rows = replyButtons(reply, this.#codec)
      const payloads = chunks.map((content, i): InteractionReplyOptions => {
        const last = i === chunks.length - 1
        return {
          content,
          allowedMentions: NO_MENTIONS,
          ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
          ...(last ? { components: rows } : {}),
          ...(last && reply.file
            ? {
                files: [
                  new AttachmentBuilder(fileBytes(reply.file.content), {
                    name: reply.file.name,
                  }),
                ],
              }
            : {}),
        }
      })
      for (const payload of payloads) await this.#send(payload, ephemeral)
    })
  }

  async #send(payload: InteractionReplyOptions, ephemeral: boolean): Promise<void> {
    const interaction = this.#interaction
    if (this.#state === 'none') {
      await interaction.reply(payload)
      this.#state = 'replied'
    } else if (this.#state === 'deferred' && !ephemeral) {
      const { flags: _flags, ...edit } = payload
      await interaction.editReply(edit)
      this.#state = 'replied'
    } else if (this.#state === 'deferred') {
      // A public "thinking…" cannot turn private: remove it and answer privately.
      await interaction.deleteReply()
      await interaction.followUp(payload)
      this.#state = 'replied'
    } else {
      await interaction.followUp(payload)
    }
  }

  /** Before a streamed reply is posted in the channel: acknowledge without a visible answer. */
  acknowledgeForStream(): Promise<void> {
    return this.#serial(async () => {
      const interaction = this.#interaction
      if (this.#state === 'none') {
        if (interaction.isButton()) await interaction.deferUpdate()
        else await interaction.reply({ content: '↻ On it…', flags: MessageFlags.Ephemeral })
        this.#state = 'replied'
      } else if (this.#state === 'deferred') {
        await interaction.deleteReply()
        this.#state = 'replied'
      }
    })
  }

  /** After the command: an interaction nobody answered is closed so Discord shows no error. */
  finish(): Promise<void> {
    return this.#serial(async () => {
      const interaction = this.#interaction
      if (this.#state === 'none') {
        if (interaction.isButton()) await interaction.deferUpdate()
        else await interaction.reply({ content: 'Done.', flags: MessageFlags.Ephemeral })
      } else if (this.#state === 'deferred') {
        await interaction.editReply({ content: 'Done.' })
      }
      this.#state = 'replied'
    }).catch((err: unknown) => this.#log.warn({ err }, 'could not close the interaction'))
  }
}
