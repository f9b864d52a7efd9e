import { type Api, GrammyError, InlineKeyboard } from 'grammy'
import type { InlineKeyboardMarkup } from 'grammy/types'
import type { Logger } from '../../src/core/ports/logger.js'
import { markdownToTelegramHtml } from './telegram-html-renderer.js'
import { splitForTelegram } from './telegram-split.js'

/** Where a message goes: a chat, and a forum topic when there is one. */
export interface ChatTarget {
  readonly chatId: number
  readonly threadId?: number | undefined
  readonly isGroup: boolean
}

export interface SendOptions {
  readonly keyboard?: InlineKeyboard | undefined
  /** URL buttons; listed in the text instead when Telegram refuses the button. */
  readonly links?: readonly { readonly label: string; readonly url: string }[] | undefined
  readonly replyTo?: number | undefined
}

const description = (err: unknown) => (err instanceof GrammyError ? err.description : '')

/** "message is not modified" means the edit already shows what we wanted: a success. */
export const isNotModified = (err: unknown) => description(err).includes('message is not modified')

/** Telegram refused the formatting (or its length after parsing): resend as plain text. */
const isFormattingRejected = (err: unknown) =>
  err instanceof GrammyError &&
  err.error_code === 400 &&
  /can't parse entities|message is too long|entities/i.test(err.description)

/**
 * Sends and edits texts with the Bot API: Markdown is rendered to HTML per chunk, and whenever
 * Telegram rejects the formatting the same chunk goes out as plain text, so a reply is never
 * lost to a formatting error.
 */
export class TelegramSender {
  readonly #api: Api
  readonly #log: Logger

  constructor(deps: { api: Api; log: Logger }) {
    this.#api = deps.api
    this.#log = deps.log
  }

  /** Sends Markdown text split into chunks; buttons go on the last chunk. Returns the message ids. */
  async sendText(target: ChatTarget, text: string, options: SendOptions = {}): Promise<number[]> {
    const chunks = splitForTelegram(text)
    if (chunks.length === 0) chunks.push('…')
    const ids: number[] = []
    for (const [i, chunk] of chunks.entries()) {
      const last = i === chunks.length - 1
      ids.push(await this.#sendChunk(target, chunk, last ? options : { replyTo: options.replyTo }))
    }
    return ids
  }

  /**
   * Sends one streamed message (a placeholder or the first state of a chunk) as formatted
   * text; plain text only when Telegram refuses the formatting (logged).
   */
  async sendDraft(target: ChatTarget, markdown: string, replyTo?: number): Promise<number> {
    const where = {
      ...this.#where(target),
      ...(replyTo === undefined
        ? {}
        : { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }),
    }
    try {
      const sent = await this.#api.sendMessage(target.chatId, markdownToTelegramHtml(markdown), {
        ...where,
        parse_mode: 'HTML',
      })
      return sent.message_id
    } catch (err) {
      if (!isFormattingRejected(err)) throw err
      this.#logPlain(target, err)
      const sent = await this.#api.sendMessage(target.chatId, markdown, where)
      return sent.message_id
    }
  }

  /**
   * Edits a streamed message to its newest (balanced) Markdown, formatted; "not modified"
   * counts as success, and plain text is the logged last resort.
   */
  async editDraft(target: ChatTarget, messageId: number, markdown: string): Promise<void> {
    await this.#edit(target, messageId, markdown)
  }

  /** Edits a message to plain text; "not modified" counts as success. */
  async editPlain(
    target: ChatTarget,
    messageId: number,
    text: string,
    keyboard?: InlineKeyboard,
  ): Promise<void> {
    try {
      await this.#api.editMessageText(
        target.chatId,
        messageId,
        text,
        keyboard ? { reply_markup: keyboard } : {},
      )
    } catch (err) {
      if (!isNotModified(err)) throw err
    }
  }

  /**
   * Puts a finished chunk into `messageId` as formatted text (plain text when the formatting is
   * rejected). When the message cannot be edited any more, sends the chunk as a new message.
   */
  async finishChunk(
    target: ChatTarget,
    messageId: number | undefined,
    chunk: string,
    keyboard?: InlineKeyboard,
  ): Promise<void> {
    if (messageId !== undefined) {
      try {
        await this.#edit(target, messageId, chunk, keyboard)
        return
      } catch (err) {
        this.#log.warn(
          { err, chatId: target.chatId },
          'telegram edit failed, sending the text anew',
        )
      }
    }
    await this.#sendChunk(target, chunk, { keyboard })
  }

  async deleteMessage(target: ChatTarget, messageId: number): Promise<void> {
    try {
      await this.#api.deleteMessage(target.chatId, messageId)
    } catch (err) {
      this.#log.debug({ err, chatId: target.chatId }, 'telegram delete failed')
    }
  }

  async #edit(
    target: ChatTarget,
    messageId: number,
    chunk: string,
    keyboard?: InlineKeyboard,
  ): Promise<void> {
    const markup = keyboard ? { reply_markup: keyboard } : {}
    try {
      await this.#api.editMessageText(target.chatId, messageId, markdownToTelegramHtml(chunk), {
        parse_mode: 'HTML',
        ...markup,
      })
    } catch (err) {
      if (isNotModified(err)) return
      if (!isFormattingRejected(err)) throw err
      this.#logPlain(target, err)
      await this.editPlain(target, messageId, chunk, keyboard)
    }
  }

  async #sendChunk(target: ChatTarget, chunk: string, options: SendOptions): Promise<number> {
    const markup = buttons(options)
    const base = {
      ...this.#where(target),
      ...(options.replyTo === undefined
        ? {}
        : { reply_parameters: { message_id: options.replyTo, allow_sending_without_reply: true } }),
    }
    try {
      const sent = await this.#api.sendMessage(target.chatId, markdownToTelegramHtml(chunk), {
        ...base,
        parse_mode: 'HTML',
        ...(markup ? { reply_markup: markup } : {}),
      })
      return sent.message_id
    } catch (err) {
      if (!(err instanceof GrammyError) || err.error_code !== 400) throw err
      this.#log.warn(
        { chatId: target.chatId, reason: err.description },
        'telegram refused the message, sending plain text',
      )
      // Plain text, with links written out in case a URL button was what Telegram refused.
      const links = (options.links ?? []).map((l) => `${l.label}: ${l.url}`)
      const plain = [chunk, ...links].join('\n').slice(0, 4096)
      const sent = await this.#api.sendMessage(target.chatId, plain, {
        ...base,
        ...(options.keyboard ? { reply_markup: options.keyboard } : {}),
      })
      return sent.message_id
    }
  }

  #logPlain(target: ChatTarget, err: unknown): void {
    this.#log.warn(
      { chatId: target.chatId, reason: description(err) },
      'telegram rejected formatting, sending plain text',
    )
  }

  #where(target: ChatTarget) {
    return target.threadId === undefined ? {} : { message_thread_id: target.threadId }
  }
}

function buttons(options: SendOptions): InlineKeyboardMarkup | undefined {
  const links = options.links ?? []
  if (!options.keyboard && links.length === 0) return undefined
  const keyboard = InlineKeyboard.from(options.keyboard?.inline_keyboard ?? [])
  for (const link of links) keyboard.row().url(link.label, link.url)
  return keyboard
}
