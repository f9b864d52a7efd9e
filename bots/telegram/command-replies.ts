import { InlineKeyboard, InputFile } from 'grammy'
import type { CommandInvocation, CommandIo } from '../../src/core/chat-core.js'
import type { CommandReply } from '../../src/core/command.js'
import { toAppError } from '../../src/core/errors.js'
import { escapeMarkdown } from '../../src/core/markdown-text.js'
import type { ReplyEvent } from '../../src/core/types.js'
import { fileBytes } from '../shared/file-bytes.js'
import { userMessageFor } from '../shared/user-messages.js'
import { ReplyRenderer } from './reply-renderer.js'
import type { TelegramContext } from './telegram-context.js'
import type { ChatTarget } from './telegram-sender.js'

/*
 * Commands and streamed replies on their way back to Telegram: runs a command with its answers
 * routed (personal ones never in a group), streams a reply in the background, and reports
 * failures to the person.
 */

/** Tells the person what went wrong after an unexpected failure; never throws. */
export async function answerFailure(
  tg: TelegramContext,
  target: ChatTarget,
  err: unknown,
): Promise<void> {
  const error = toAppError(err)
  try {
    await tg.sender.sendText(target, userMessageFor({ code: error.code, params: error.params }))
  } catch (sendErr) {
    tg.log.error({ err: sendErr, chatId: target.chatId }, 'telegram could not report a failure')
  }
}

export async function runCommand(
  tg: TelegramContext,
  invocation: CommandInvocation,
  target: ChatTarget,
  replyTo?: number,
): Promise<void> {
  let taken: () => void = () => {}
  const first = new Promise<void>((resolve) => {
    taken = resolve
  })
  const io: CommandIo = {
    reply: (reply) => commandReply(tg, target, reply, invocation),
    stream: (events) => rendererFor(tg, target, replyTo).run(events, taken),
  }
  const task = tg.core
    .runCommand(invocation, io)
    .catch(async (err: unknown) => {
      tg.log.error({ err, command: invocation.name }, 'telegram command failed')
      await answerFailure(tg, target, err)
    })
    .finally(taken)
  tg.inFlight.track(task)
  tg.job?.track(task)
  await first
}

export async function streamReply(
  tg: TelegramContext,
  target: ChatTarget,
  replyTo: number | undefined,
  events: AsyncIterable<ReplyEvent>,
  controller: AbortController,
): Promise<void> {
  let taken: () => void = () => {}
  const first = new Promise<void>((resolve) => {
    taken = resolve
  })
  const task = rendererFor(tg, target, replyTo).run(events, taken)
  tg.inFlight.track(task, controller)
  tg.job?.track(task)
  await first
}

function rendererFor(
  tg: TelegramContext,
  target: ChatTarget,
  replyTo: number | undefined,
): ReplyRenderer {
  const regenerate = new InlineKeyboard().text(
    'Regenerate',
    tg.codec.encode({ command: 'regenerate', args: {} }),
  )
  return new ReplyRenderer(tg, target, { replyTo, regenerate, job: tg.job })
}

async function commandReply(
  tg: TelegramContext,
  target: ChatTarget,
  reply: CommandReply,
  invocation: CommandInvocation,
): Promise<void> {
  const personal =
    reply.personal === true || (reply.links?.length ?? 0) > 0 || reply.file !== undefined
  if (!((reply.ephemeral || personal) && target.isGroup)) return deliver(tg, target, reply)
  // Private answers go to the private chat; in the group only a pointer to it.
  const dm: ChatTarget = { chatId: Number(invocation.platformUserId), isGroup: false }
  try {
    await deliver(tg, dm, reply)
  } catch (err) {
    // Telegram lets a bot write only to people who started a private chat with it.
    tg.log.info({ err, command: invocation.name }, 'telegram could not answer privately')
    await (personal
      ? tg.sender.sendText(
          target,
          `${escapeMarkdown(invocation.displayName)}, open a private chat with me first (tap my name, then Start), then run /${invocation.name} there: I don't post personal answers in groups.`,
        )
      : deliver(tg, target, reply))
    return
  }
  await tg.sender.sendText(
    target,
    `${escapeMarkdown(invocation.displayName)}, I've sent you the answer in a private message.`,
  )
}

async function deliver(
  tg: TelegramContext,
  target: ChatTarget,
  reply: CommandReply,
): Promise<void> {
  await tg.sender.sendText(target, reply.text, {
    keyboard: keyboardFor(tg, reply.actions ?? []),
    links: reply.links,
  })
  if (reply.file) {
    const file = new InputFile(fileBytes(reply.file.content), reply.file.name)
    await tg.api.sendDocument(target.chatId, file, {
      ...(target.threadId === undefined ? {} : { message_thread_id: target.threadId }),
    })
  }
}

function keyboardFor(
  tg: TelegramContext,
  actions: NonNullable<CommandReply['actions']>,
): InlineKeyboard | undefined {
  if (actions.length === 0) return undefined
  const keyboard = new InlineKeyboard()
  const perRow = actions.length > 6 ? 2 : 1
  actions.forEach((action, i) => {
    if (i > 0 && i % perRow === 0) keyboard.row()
    keyboard.text(action.label.slice(0, 64), tg.codec.encode(action))
  })
  return keyboard
}
