import type { UserFacingError } from '../../src/core/types.js'
import { userMessageFor } from '../shared/user-messages.js'

/** How a reply that ended in an error reads, and whether it offers Regenerate. */
export interface ReplyEnding {
  readonly body: string
  readonly footer: string
  readonly regenerate: boolean
}

/**
 * The last state of a reply that ended with `error`: the partial text (if any) with a footer
 * saying why it stopped, or the reason alone. Stopped by the person: a quiet mark. Cut by a
 * restart: say so, and offer Regenerate.
 */
export function replyEnding(error: UserFacingError, partialText: string | undefined): ReplyEnding {
  const message = userMessageFor(error)
  const stopped = error.code === 'CANCELLED' && !error.params.restarting
  const cut =
    error.code === 'CANCELLED' && Boolean(error.params.restarting) && !error.params.notStarted
  if (partialText?.trim()) {
    return {
      body: partialText,
      footer: stopped ? '\n\n*(stopped)*' : `\n\n⚠️ ${message}`,
      regenerate: error.code === 'CANCELLED' && !error.params.notStarted,
    }
  }
  return { body: stopped ? '*(stopped)*' : `⚠️ ${message}`, footer: '', regenerate: cut }
}
