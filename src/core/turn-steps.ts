import type { Caller } from './caller.js'
import { AppError, toAppError } from './errors.js'
import type { Logger } from './ports/logger.js'
import type { ConversationStore } from './ports/stores.js'
import type { Conversation, ReplyEvent } from './types.js'

/**
 * Readies a conversation for `/regenerate`: true when its last user message is to be answered
 * again (the reply after it is deleted first), false when there is none. In a group a member
 * may only redo the answer to their own message.
 */
export async function prepareRegenerate(
  conversations: ConversationStore,
  caller: Caller,
  conversation: Conversation,
): Promise<boolean> {
  const rows = await conversations.recent(conversation.id, 2)
  const tail = rows.at(-1)
  const before = rows.length > 1 ? rows[0] : undefined
  const asked = tail?.role === 'user' ? tail : before?.role === 'user' ? before : undefined
  // A group shares one conversation: a member may only redo the answer to their own message.
  if (
    asked &&
    caller.chatKind === 'group' &&
    !caller.isChatAdmin &&
    !caller.isAdmin &&
    asked.accountId !== caller.account.id
  ) {
    throw new AppError('NOT_ALLOWED', 'regenerate of another member’s reply', {
      reason:
        'In a group, only chat admins and the person the last reply answered can regenerate it.',
    })
  }
  if (tail?.role === 'user') return true
  if (tail?.role !== 'assistant' || before?.role !== 'user') return false
  await conversations.deleteMessage(tail.id)
  return true
}

/** Puts a notice before the reply's final text as shown; it is never stored. */
export function withNotice(event: ReplyEvent, notice: string): ReplyEvent {
  return event.type === 'done' ? { ...event, text: `_${notice}_\n\n${event.text}` } : event
}

/** A failure as the reply's `error` event, logged for the operator. */
export function errorEvent(err: unknown, closing: boolean, log: Logger): ReplyEvent {
  const error = toAppError(err)
  if (error.code === 'INTERNAL') log.error({ err }, 'reply failed')
  else log.info({ code: error.code }, 'reply refused')
  // Refused or still waiting when a shutdown began: nothing was stored or answered.
  const params =
    error.code === 'CANCELLED' && closing
      ? { ...error.params, restarting: 1, notStarted: 1 }
      : error.params
  return { type: 'error', error: { code: error.code, params } }
}
