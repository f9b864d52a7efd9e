import type { Context } from 'grammy'
import type { InboundMessage } from '../../src/core/types.js'
import { startReply } from '../shared/start-reply.js'
import { userMessageFor } from '../shared/user-messages.js'
import { runCommand, streamReply } from './command-replies.js'
import type { TelegramContext } from './telegram-context.js'
import { attachmentsOf } from './telegram-files.js'
import type { ChatTarget } from './telegram-sender.js'
import {
  addressing,
  chatIdOf,
  chatKindOf,
  displayNameOf,
  handleOf,
  parseCommand,
  topicOf,
} from './update-mapping.js'

const TEXT_ONLY = 'I can read text, pictures and text files, not this kind of message yet.'

/**
 * Maps a Telegram message to the core: a command runs, anything else may get a streamed reply.
 * Returns once the core has taken the update (accepted or answered), so the next update of the
 * same chat can start while the reply keeps streaming in the background.
 */
export async function handleMessage(tg: TelegramContext, ctx: Context): Promise<void> {
  const message = ctx.message
  const from = message?.from
  const kind = message ? chatKindOf(message.chat) : undefined
  if (!message || !from || from.is_bot || !kind) return
  const isGroup = kind === 'group'
  const topic = topicOf(message)
  const target: ChatTarget = { chatId: message.chat.id, threadId: topic, isGroup }
  const attachments = attachmentsOf(message, tg.files)
  // A photo or file comes with an optional caption instead of text.
  const text = message.text ?? (attachments.length ? (message.caption ?? '') : undefined)
  if (text === undefined) {
    if (!isGroup) {
      await tg.sender.sendText(
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
    handle: handleOf(from),
    chatId: chatIdOf(message.chat.id, topic),
    chatKind: kind,
    adultAllowed: !isGroup,
  } as const
  const command =
    message.text === undefined
      ? ({ kind: 'none' } as const)
      : parseCommand(text, message.entities, ctx.me.username)
  if (command.kind === 'other-bot') return
  if (command.kind === 'command') {
    const known = tg.core.commands.some((c) => c.name === command.name)
    // In groups an unknown bare `/cmd` is probably for another bot.
    if (!known && isGroup && !command.explicit) return
    await runCommand(
      tg,
      {
        ...base,
        isChatAdmin: await tg.admins.isAdmin(message.chat.id, from.id, isGroup),
        name: command.name,
        args: known ? tg.core.parseArgs(command.name, command.rest) : {},
      },
      target,
      isGroup ? message.message_id : undefined,
    )
    return
  }
  const entities = message.text === undefined ? message.caption_entities : message.entities
  const addressed = isGroup
    ? addressing({ text, entities, reply_to_message: message.reply_to_message }, ctx.me)
    : { addressed: true, text }
  const inbound: InboundMessage = {
    ...base,
    text: addressed.text,
    ...(attachments.length ? { attachments } : {}),
    addressed: addressed.addressed,
    messageId: String(message.message_id),
    replyToMessageId: message.reply_to_message
      ? String(message.reply_to_message.message_id)
      : undefined,
  }
  const controller = new AbortController()
  // The core decides once: no first event means the message is not for us.
  const events = await startReply(tg.core.reply(inbound, controller.signal))
  if (!events) return
  await streamReply(tg, target, isGroup ? message.message_id : undefined, events, controller)
}
