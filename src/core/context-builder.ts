import { AppError } from './errors.js'
import type { ChatMessage } from './ports/llm.js'
import { MESSAGE_OVERHEAD_TOKENS } from './token-estimator.js'

/** One stored turn as the context builder sees it (oldest first). */
export interface HistoryMessage {
  readonly id: number
  readonly role: 'user' | 'assistant'
  readonly content: string
  /** Shown as `Name: text` in group chats so the persona can tell people apart. */
  readonly speakerName?: string | null | undefined
}

/** The parts of a prompt, already macro-expanded. */
export interface ContextParts {
  /** System prompt, persona fields and activated lore: never trimmed. */
  readonly system: string
  /** The rolling summary of older turns, if any: clipped to `memoryShare` of the budget. */
  readonly memory: string | null
  /** Example dialogue blocks, included in order only while room remains. */
  readonly examples: readonly string[]
  /** Sent as a final system message after the history; never trimmed. */
  readonly postHistory: string
  /** Candidate history, oldest first; the newest message must fit. */
  readonly history: readonly HistoryMessage[]
  /** Group chats attribute user turns to their speakers. */
  readonly group: boolean
}

export interface ContextLimits {
  /** Tokens the prompt may use (context length minus the reply reserve). */
  readonly budgetTokens: number
  readonly estimate: (text: string) => number
  /** Largest share of the budget the memory summary may take (default 0.25). */
  readonly memoryShare?: number
}

export interface BuiltContext {
  readonly messages: ChatMessage[]
  readonly estimatedTokens: number
  readonly fixedTokens: number
  readonly includedHistory: number
  /** Candidate history messages that did not fit (oldest ones). */
  readonly droppedHistory: number
  /** Id of the oldest history message sent, null when none. */
  readonly oldestIncludedId: number | null
  readonly includedExamples: number
}

/** Renders a history turn as the model sees it. */
export function renderTurn(message: HistoryMessage, group: boolean): string {
  return group && message.role === 'user' && message.speakerName
    ? `${message.speakerName}: ${message.content}`
    : message.content
}

/**
 * Fits a prompt into a token budget. The fixed part (system, post-history) is never trimmed;
 * the memory summary is clipped to its share; history is dropped oldest first; example
 * dialogues are added only into the room that is left. Pure and synchronous.
 * Throws `CONTEXT_TOO_LARGE` when the fixed part plus the newest message cannot fit,
 * never returning a truncated prompt.
 */
export function buildContext(parts: ContextParts, limits: ContextLimits): BuiltContext {
  const { estimate, budgetTokens } = limits
  const cost = (text: string) => estimate(text) + MESSAGE_OVERHEAD_TOKENS
  const fixedTokens = cost(parts.system) + (parts.postHistory ? cost(parts.postHistory) : 0)
  const newest = parts.history.at(-1)
  const newestTokens = newest ? cost(renderTurn(newest, parts.group)) : 0
  if (fixedTokens + newestTokens > budgetTokens) {
    throw new AppError('CONTEXT_TOO_LARGE', 'fixed prompt does not fit the context', {
      fixedTokens,
      budgetTokens,
    })
  }
  let room = budgetTokens - fixedTokens

  let memory = parts.memory?.trim()
    ? `[Summary of the conversation so far: ${parts.memory.trim()}]`
    : ''
  if (memory) {
    const cap = Math.min(
      Math.floor(budgetTokens * (limits.memoryShare ?? 0.25)),
      room - newestTokens,
    )
    memory = clipToTokens(memory, cap, estimate)
    room -= memory ? estimate(memory) : 0
  }

  const history: ChatMessage[] = []
  let oldestIncludedId: number | null = null
  for (let i = parts.history.length - 1; i >= 0; i--) {
    const turn = parts.history[i] as HistoryMessage
    const content = renderTurn(turn, parts.group)
    const tokens = cost(content)
    if (tokens > room) break
    room -= tokens
    history.push({ role: turn.role, content })
    oldestIncludedId = turn.id
  }
  history.reverse()

  const examples: string[] = []
  for (const block of parts.examples) {
    const tokens = estimate(block)
    if (tokens > room) break
    room -= tokens
    examples.push(block)
  }

  const systemText = [parts.system, memory, ...examples].filter(Boolean).join('\n\n')
  const messages: ChatMessage[] = [{ role: 'system', content: systemText }, ...history]
  if (parts.postHistory) messages.push({ role: 'system', content: parts.postHistory })
  return {
    messages,
    estimatedTokens: budgetTokens - room,
    fixedTokens,
    includedHistory: history.length,
    droppedHistory: parts.history.length - history.length,
    oldestIncludedId,
    includedExamples: examples.length,
  }
}

/** Keeps the end of `text` (the newest facts) within `maxTokens`; '' when nothing fits. */
function clipToTokens(text: string, maxTokens: number, estimate: (t: string) => number): string {
  if (maxTokens <= 0) return ''
  let out = text
  while (out && estimate(out) > maxTokens) {
    const keep = Math.floor((out.length * maxTokens) / estimate(out)) - 1
    out = keep > 0 ? `…${out.slice(out.length - keep)}` : ''
  }
  return out
}
