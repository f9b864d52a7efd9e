import { type Api, type Context, InlineKeyboard, InputFile } from 'grammy'
import type { ChatCore, CommandInvocation, CommandIo } from '../../src/core/chat-core.js'
import type { CommandReply } from '../../src/core/command.js'
import { toAppError } from '../../src/core/errors.js'
import { escapeMarkdown } from '../../src/core/markdown-text.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { InboundMessage, ReplyEvent } from '../../src/core/types.js'
import { fileBytes } from '../shared/file-bytes.js'
import type { InFlight } from '../shared/in-flight.js'
import { startReply } from '../shared/start-reply.js'
import { userMessageFor } from '../shared/user-messages.js'
import type { CallbackCodec } from './callback-data.js'
import type { ChatAdmins } from './chat-admins.js'
import type { EditPacer } from './edit-pacer.js'
import { ReplyRenderer } from './reply-renderer.js'
import type { ChatTarget, TelegramSender } from './telegram-sender.js'
import {
  addressing,
  chatIdOf,
  chatKindOf,
  displayNameOf,
  parseCommand,
  topicOf,
} from './update-mapping.js'

export interface TelegramHandlersDeps {
  readonly core: ChatCore
  readonly api: Api
  readonly log: Logger
  readonly sender: TelegramSender
  readonly pacer: EditPacer
  readonly codec: CallbackCodec
  readonly admins: ChatAdmins
  readonly inFlight: InFlight
}

const TEXT_ONLY = 'I can only read text messages for now.'
const EXPIRED = 'This button has expired. Please run the command again.'

/**
 * Maps Telegram updates to the core and the core's answers back to Telegram. Each handler
 * returns once the core has taken the update (accepted or answered), so the next update of the
 * same chat can start while the reply keeps streaming in the background.
 */
export class TelegramHandlers {
  readonly #d: TelegramHandlersDeps

  constructor(deps: TelegramHandlersDeps) {
    this.#d = deps
  }

  async onMessage(ctx: Context): Promise<void> {
    const message = ctx.message
    const from = message?.from
    const kind = message ? chatKindOf(message.chat) : undefined
    if (!message || !from || from.is_bot || !kind) return
    const isGroup = kind === 'group'
    const topic = topicOf(message)
    const target: ChatTarget = { chatId: message.chat.id, threadId: topic, isGroup }
    const text = message.text
    if (text === undefined) {
      if (!isGroup) {
        await this.#d.sender.sendText(
          target,
          userMessageFor({ code: 'INVALID_INPUT', params: { reason: TEXT_ONLY } }),
        )
      }
      return
    }
    const base = {
      platform: 'telegram',
      platformUserId: String(from.id),
      displayName: displayNameOf(from),
      chatId: chatIdOf(message.chat.id, topic),
      chatKind: kind,
      adultAllowed: !isGroup,
    } as const
    const command = parseCommand(text, message.entities, ctx.me.username)
    if (command.kind === 'other-bot') return
    if (command.kind === 'command') {
      const known = this.#d.core.commands.some((c) => c.name === command.name)
      // In groups an unknown bare `/cmd` is probably for another bot.
      if (!known && isGroup && !command.explicit) return
      await this.#runCommand(
        {
          ...base,
          isChatAdmin: await this.#d.admins.isAdmin(message.chat.id, from.id, isGroup),
          name: command.name,
          args: known ? this.#d.core.parseArgs(command.name, command.rest) : {},
        },
        target,
        isGroup ? message.message_id : undefined,
      )
      return
    }
    const addressed = isGroup ? addressing(message, ctx.me) : { addressed: true, text }
    const inbound: InboundMessage = {
      ...base,
      text: addressed.text,
      addressed: addressed.addressed,
      messageId: String(message.message_id),
      replyToMessageId: message.reply_to_message
        ? String(message.reply_to_message.message_id)
        : undefined,
    }
    const controller = new AbortController()
    // The core decides once: no first event means the message is not for us.
    const events = await startReply(this.#d.core.reply(inbound, controller.signal))
    if (!events) return
    await this.#stream(target, isGroup ? message.message_id : undefined, events, controller)
  }

  /** Runs the button's command as the clicking user; the query is always answered. */
  async onCallbackQuery(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery
    if (!query) return
    let answered = false
    const answer = async (text?: string) => {
      if (answered) return
      answered = true
      try {
        await ctx.answerCallbackQuery(text === undefined ? undefined : { text })
      } catch (err) {
        this.#d.log.warn({ err }, 'telegram answerCallbackQuery failed')
      }
    }
    try {
      const action = query.data === undefined ? undefined : this.#d.codec.decode(query.data)
      const message = query.message
      const kind = message ? chatKindOf(message.chat) : undefined
      if (!action || !message || !kind) {
        await answer(EXPIRED)
        return
      }
      await answer()
      const isGroup = kind === 'group'
      const topic = message.date === 0 ? undefined : topicOf(message)
      await this.#runCommand(
        {
          platform: 'telegram',
          platformUserId: String(query.from.id),
          displayName: displayNameOf(query.from),
          chatId: chatIdOf(message.chat.id, topic),
          chatKind: kind,
          adultAllowed: !isGroup,
          isChatAdmin: await this.#d.admins.isAdmin(message.chat.id, query.from.id, isGroup),
          name: action.command,
          args: action.args,
        },
        { chatId: message.chat.id, threadId: topic, isGroup },
        undefined,
      )
    } finally {
      await answer()
    }
  }

  /** Tells the person what went wrong after an unexpected failure; never throws. */
  async answerFailure(target: ChatTarget, err: unknown): Promise<void> {
    const error = toAppError(err)
    try {
      await this.#d.sender.sendText(
        target,
        userMessageFor({ code: error.code, params: error.params }),
      )
    } catch (sendErr) {
      this.#d.log.error(
        { err: sendErr, chatId: target.chatId },
        'telegram could not report a failure',
      )
    }
  }

  async #runCommand(
    invocation: CommandInvocation,
    target: ChatTarget,
    replyTo?: number,
  ): Promise<void> {
    let taken: () => void = () => {}
    const first = new Promise<void>((resolve) => {
      taken = resolve
    })
    const io: CommandIo = {
      reply: (reply) => this.#commandReply(target, reply, invocation),
      stream: (events) => this.#renderer(target, replyTo).run(events, taken),
    }
    const task = this.#d.core
      .runCommand(invocation, io)
      .catch(async (err: unknown) => {
        this.#d.log.error({ err, command: invocation.name }, 'telegram command failed')
        await this.answerFailure(target, err)
      })
      .finally(taken)
    this.#d.inFlight.track(task)
    await first
  }

  async #stream(
    target: ChatTarget,
    replyTo: number | undefined,
    events: AsyncIterable<ReplyEvent>,
    controller: AbortController,
  ): Promise<void> {
    let taken: () => void = () => {}
    const first = new Promise<void>((resolve) => {
      taken = resolve
    })
    this.#d.inFlight.track(this.#renderer(target, replyTo).run(events, taken), controller)
    await first
  }

  #renderer(target: ChatTarget, replyTo: number | undefined): ReplyRenderer {
    const regenerate = new InlineKeyboard().text(
      'Regenerate',
      this.#d.codec.encode({ command: 'regenerate', args: {} }),
    )
    return new ReplyRenderer(this.#d, target, { replyTo, regenerate })
  }

  async #commandReply(
    target: ChatTarget,
    reply: CommandReply,
    invocation: CommandInvocation,
  ): Promise<void> {
    const personal =
      reply.personal === true || (reply.links?.length ?? 0) > 0 || reply.file !== undefined
    if (!((reply.ephemeral || personal) && target.isGroup)) return this.#deliver(target, reply)
    // Private answers go to the private chat; in the group only a pointer to it.
    const dm: ChatTarget = { chatId: Number(invocation.platformUserId), isGroup: false }
    try {
      await this.#deliver(dm, reply)
    } catch (err) {
      // Telegram lets a bot write only to people who started a private chat with it.
      this.#d.log.info({ err, command: invocation.name }, 'telegram could not answer privately')
      await (personal
        ? this.#d.sender.sendText(
            target,
            `${escapeMarkdown(invocation.displayName)}, open a private chat with me first (tap my name, then Start), then run /${invocation.name} there: I don't post personal answers in groups.`,
          )
        : this.#deliver(target, reply))
      return
    }
    await this.#d.sender.sendText(
      target,
      `${escapeMarkdown(invocation.displayName)}, I've sent you the answer in a private message.`,
    )
  }

  async #deliver(target: ChatTarget, reply: CommandReply): Promise<void> {
    await this.#d.sender.sendText(target, reply.text, {
      keyboard: this.#keyboard(reply.actions ?? []),
      links: reply.links,
    })
    if (reply.file) {
      const file = new InputFile(fileBytes(reply.file.content), reply.file.name)
      await this.#d.api.sendDocument(target.chatId, file, {
        ...(target.threadId === undefined ? {} : { message_thread_id: target.threadId }),
      })
    }
  }

  #keyboard(actions: NonNullable<CommandReply['actions']>): InlineKeyboard | undefined {
    if (actions.length === 0) return undefined
    const keyboard = new InlineKeyboard()
    const perRow = actions.length > 6 ? 2 : 1
    actions.forEach((action, i) => {
      if (i > 0 && i % perRow === 0) keyboard.row()
      keyboard.text(action.label.slice(0, 64), this.#d.codec.encode(action))
    })
    return keyboard
  }
}
