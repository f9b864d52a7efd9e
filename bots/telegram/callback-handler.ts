import type { Context } from 'grammy'
import { runCommand } from './command-replies.js'
import type { TelegramContext } from './telegram-context.js'
import { chatIdOf, chatKindOf, displayNameOf, handleOf, topicOf } from './update-mapping.js'

const EXPIRED = 'This button has expired. Please run the command again.'

/** Runs the button's command as the clicking user; the query is always answered. */
export async function handleCallbackQuery(tg: TelegramContext, ctx: Context): Promise<void> {
  const query = ctx.callbackQuery
  if (!query) return
  let answered = false
  const answer = async (text?: string) => {
    if (answered) return
    answered = true
    try {
      await ctx.answerCallbackQuery(text === undefined ? undefined : { text })
    } catch (err) {
      tg.log.warn({ err }, 'telegram answerCallbackQuery failed')
    }
  }
  try {
    const action = query.data === undefined ? undefined : tg.codec.decode(query.data)
    const message = query.message
    const kind = message ? chatKindOf(message.chat) : undefined
    if (!action || !message || !kind) {
      await answer(EXPIRED)
      return
    }
    await answer()
    const isGroup = kind === 'group'
    const topic = message.date === 0 ? undefined : topicOf(message)
    await runCommand(
      tg,
      {
        platform: 'telegram',
        platformUserId: String(query.from.id),
        displayName: displayNameOf(query.from),
        handle: handleOf(query.from),
        chatId: chatIdOf(message.chat.id, topic),
        chatKind: kind,
        adultAllowed: !isGroup,
        isChatAdmin: await tg.admins.isAdmin(message.chat.id, query.from.id, isGroup),
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
