import type { Chat, Message, MessageEntity, UserFromGetMe } from 'grammy/types'
import type { ChatKind } from '../../src/core/types.js'

/** Direct for private chats, group for groups and supergroups; channels are not served. */
export function chatKindOf(chat: Pick<Chat, 'type'>): ChatKind | undefined {
  if (chat.type === 'private') return 'direct'
  if (chat.type === 'group' || chat.type === 'supergroup') return 'group'
  return undefined
}

/** The forum topic a message belongs to, if any. */
export function topicOf(message: Pick<Message, 'is_topic_message' | 'message_thread_id'>) {
  return message.is_topic_message ? message.message_thread_id : undefined
}

/** Our chat id: the Telegram chat, plus `:<topic>` so each forum topic is its own conversation. */
export function chatIdOf(chatId: number, topic: number | undefined): string {
  return topic === undefined ? String(chatId) : `${chatId}:${topic}`
}

/** The person's unique `@username`, when they have one. */
export function handleOf(user: { username?: string | undefined }): string | undefined {
  return user.username ? `@${user.username}` : undefined
}

export function displayNameOf(user: {
  first_name: string
  last_name?: string | undefined
  username?: string | undefined
}): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ').trim()
  return name || user.username || 'someone'
}

export type ParsedCommand =
  | {
      readonly kind: 'command'
      readonly name: string
      readonly rest: string
      readonly explicit: boolean
    }
  | { readonly kind: 'other-bot' }
  | { readonly kind: 'none' }

/** Reads `/name@Bot args` from a message that starts with a `bot_command` entity. */
export function parseCommand(
  text: string,
  entities: readonly MessageEntity[] | undefined,
  botUsername: string,
): ParsedCommand {
  const entity = entities?.find((e) => e.type === 'bot_command' && e.offset === 0)
  if (!entity) return { kind: 'none' }
  const token = text.slice(1, entity.length)
  const [name = '', target] = token.split('@')
  if (target !== undefined && target.toLowerCase() !== botUsername.toLowerCase()) {
    return { kind: 'other-bot' }
  }
  return {
    kind: 'command',
    name: name.toLowerCase(),
    rest: text.slice(entity.length).trim(),
    explicit: target !== undefined,
  }
}

/**
 * Whether a group message speaks to the bot (an @mention, a text mention, or a reply to one of
 * its messages), and the text with the mention taken out.
 */
export function addressing(
  message: Pick<Message, 'text' | 'entities' | 'reply_to_message'>,
  me: Pick<UserFromGetMe, 'id' | 'username'>,
): { addressed: boolean; text: string } {
  const text = message.text ?? ''
  const handle = `@${me.username}`.toLowerCase()
  const mentions = (message.entities ?? []).filter(
    (e) =>
      (e.type === 'mention' &&
        text.slice(e.offset, e.offset + e.length).toLowerCase() === handle) ||
      (e.type === 'text_mention' && e.user.id === me.id),
  )
  let stripped = text
  for (const e of [...mentions].sort((a, b) => b.offset - a.offset)) {
    if (e.type === 'mention')
      stripped = stripped.slice(0, e.offset) + stripped.slice(e.offset + e.length)
  }
  const repliedToBot = message.reply_to_message?.from?.id === me.id
  return {
    addressed: mentions.length > 0 || repliedToBot,
    text:
      mentions.length > 0
        ? stripped
            .replace(/[ \t]{2,}/g, ' ')
            .replace(/^[\s,:]+/, '')
            .trim()
        : text,
  }
}
