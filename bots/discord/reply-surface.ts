import {
  type ActionRowBuilder,
  type ButtonBuilder,
  DiscordAPIError,
  type Message,
  type MessageCreateOptions,
  type SendableChannels,
  type Webhook,
} from 'discord.js'

/** Model output must never ping anyone: used on every send and edit. */
export const NO_MENTIONS = { parse: [], repliedUser: false } as const

export type ButtonRow = ActionRowBuilder<ButtonBuilder>

export interface OutgoingPart {
  readonly content: string
  readonly components: readonly ButtonRow[]
}

/** Where one reply is posted: as the persona through a webhook, or as the bot with a header. */
export interface ReplySurface {
  /** Scheduling key: the channel (or thread) the messages land in. */
  readonly channelKey: string
  /** Text put before the first chunk (the persona's name when we cannot post as the persona). */
  readonly header: string
  send(part: OutgoingPart): Promise<string>
  edit(messageId: string, part: OutgoingPart): Promise<void>
}

/** Webhook names may not contain "discord" or "clyde"; 1–80 characters. */
export function sanitizeWebhookName(name: string): string {
  const cleaned = name
    .replace(/discord/gi, (m) => m.replace(/o/i, '0'))
    .replace(/clyde/gi, (m) => m.replace(/y/i, 'i'))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80)
  return cleaned.length > 0 ? cleaned : 'Persona'
}

/** Discord's error code, when `err` is an API error. */
export function discordErrorCode(err: unknown): number | string | undefined {
  return err instanceof DiscordAPIError ? err.code : undefined
}

/** True for "Missing Access" / "Missing Permissions" answers. */
export function isPermissionError(err: unknown): boolean {
  const code = discordErrorCode(err)
  return code === 50013 || code === 50001
}

/** Posts as the persona (name and avatar per message) through the channel's webhook. */
export class WebhookSurface implements ReplySurface {
  readonly channelKey: string
  readonly header = ''
  readonly #webhook: Webhook
  readonly #threadId: string | undefined
  readonly #username: string
  readonly #avatarUrl: string | undefined

  constructor(
    webhook: Webhook,
    options: { channelKey: string; threadId?: string; name: string; avatarUrl?: string },
  ) {
    this.#webhook = webhook
    this.channelKey = options.channelKey
    this.#threadId = options.threadId
    this.#username = sanitizeWebhookName(options.name)
    this.#avatarUrl = options.avatarUrl
  }

  async send(part: OutgoingPart): Promise<string> {
    const message = await this.#webhook.send({
      content: part.content,
      components: [...part.components],
      username: this.#username,
      ...(this.#avatarUrl ? { avatarURL: this.#avatarUrl } : {}),
      ...(this.#threadId ? { threadId: this.#threadId } : {}),
      withComponents: true,
      allowedMentions: NO_MENTIONS,
    })
    return message.id
  }

  async edit(messageId: string, part: OutgoingPart): Promise<void> {
    await this.#webhook.editMessage(messageId, {
      content: part.content,
      components: [...part.components],
      ...(this.#threadId ? { threadId: this.#threadId } : {}),
      withComponents: true,
      allowedMentions: NO_MENTIONS,
    })
  }
}

/** Posts as the bot itself, the persona's name as a bold header; replies to the trigger. */
export class BotSurface implements ReplySurface {
  readonly channelKey: string
  readonly header: string
  readonly #channel: SendableChannels
  readonly #replyTo: string | undefined
  #first = true

  constructor(channel: SendableChannels, options: { personaName?: string; replyTo?: string }) {
    this.#channel = channel
    this.channelKey = channel.id
    this.header = options.personaName ? `**${options.personaName.replace(/[*_`~|]/g, '')}**\n` : ''
    this.#replyTo = options.replyTo
  }

  async send(part: OutgoingPart): Promise<string> {
    const options: MessageCreateOptions = {
      content: part.content,
      components: [...part.components],
      allowedMentions: NO_MENTIONS,
      ...(this.#first && this.#replyTo
        ? { reply: { messageReference: this.#replyTo, failIfNotExists: false } }
        : {}),
    }
    this.#first = false
    const message: Message = await this.#channel.send(options)
    return message.id
  }

  async edit(messageId: string, part: OutgoingPart): Promise<void> {
    await this.#channel.messages.edit(messageId, {
      content: part.content,
      components: [...part.components],
      allowedMentions: NO_MENTIONS,
    })
  }
}
