import type { AppErrorCode, ErrorParams } from '../../src/core/errors.js'
import type { UserFacingError } from '../../src/core/types.js'

type Render = (p: ErrorParams) => string

/** Said instead of "Run /subscribe" when the server sells no subscriptions. */
export const NO_SUBSCRIPTIONS =
  'Subscriptions are not enabled on this server; a bot admin can give you premium with /admin grant.'

const str = (v: string | number | undefined, fallback: string): string =>
  v === undefined || v === '' ? fallback : String(v)

/** Words for every failure code; a new code fails the build until it has words here. */
const MESSAGES: Record<AppErrorCode, Render> = {
  LLM_UNAVAILABLE: (p) =>
    p.midReply
      ? 'The model server stopped answering partway through, so this reply is incomplete. Please try again in a minute.'
      : `The model server is offline right now${p.model ? ` (${p.model})` : ''}. Please try again in a minute.`,
  LLM_LOADING: () => 'The model is still loading. Please try again in a few seconds.',
  LLM_BUSY: (p) =>
    `Everyone is chatting at once: the queue is full. Try again in ${str(p.retryAfterSeconds, '30')} s.`,
  LLM_TIMEOUT: (p) =>
    p.midReply
      ? 'The model stalled partway through, so this reply is incomplete. Please try again.'
      : 'The model took too long to answer. Please try again.',
  MODEL_MISSING: (p) =>
    `The model ${str(p.model, 'for this persona')} is not installed on this server. An admin can install it with \`ollama pull ${str(p.model, '<model>')}\`.`,
  CONTEXT_TOO_LARGE: () =>
    "This persona's instructions are too long for the model's context window, so I can't answer without cutting them. An admin should raise num_ctx or shorten the persona.",
  QUOTA_EXCEEDED: (p) =>
    `You've used all ${str(p.limit, 'your')} messages for today. Your quota resets in ${str(p.resetIn, 'a few hours')}.${p.tier === 'free' && p.subscribe !== 'no' ? ' Run /subscribe for a much higher limit.' : ''}`,
  PREMIUM_REQUIRED: (p) =>
    `${str(p.persona, 'This persona')} is for premium members. ${p.subscribe === 'no' ? NO_SUBSCRIPTIONS : 'Run /subscribe to unlock it.'}`,
  ADULT_NOT_ALLOWED: (p) =>
    `${str(p.persona, 'This persona')} is for adults only. ${str(p.where, 'Use it in an age-restricted place after confirming you are 18+ in /settings.')}`,
  INPUT_TOO_LONG: (p) =>
    `That message is too long (${str(p.length, '?')} characters). Please keep it under ${str(p.limit, '4000')}.`,
  PERSONA_NOT_FOUND: (p) =>
    `I don't know a persona called "${str(p.persona, '?')}". Try /personas.`,
  NOT_ENABLED: (p) => `${str(p.feature, 'This feature')} is not enabled on this server.`,
  NOT_ALLOWED: (p) => str(p.reason, "You're not allowed to do that here."),
  RATE_LIMITED: (p) => `Slow down a little: try again in ${str(p.retryAfterSeconds, 'a few')} s.`,
  CANCELLED: (p) =>
    p.notStarted
      ? 'The bot is restarting right now, so this message was not answered. Please send it again in a minute.'
      : p.restarting
        ? 'The bot restarted before finishing this reply. Press Regenerate to get the whole answer.'
        : 'Stopped.',
  INVALID_INPUT: (p) => str(p.reason, "I couldn't understand that."),
  INTERNAL: () => 'Something went wrong on our side. It has been logged; please try again.',
}

/** The sentence a person sees for a failure. */
export function userMessageFor(error: UserFacingError): string {
  return MESSAGES[error.code](error.params)
}
