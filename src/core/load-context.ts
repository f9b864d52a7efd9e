import { type BuiltContext, buildContext, type HistoryMessage } from './context-builder.js'
import type { Persona } from './persona.js'
import type { ConversationStore } from './ports/stores.js'
import { personaPromptParts } from './prompt-parts.js'
import type { Conversation } from './types.js'

/** Most stored messages ever fetched for one turn; older turns live on in the memory summary. */
export const HISTORY_WINDOW = 200
/** Extra messages fetched beyond what fitted last time, so growth is noticed. */
const WINDOW_SLACK = 16
/** Conversations whose window size is remembered (the oldest hint is dropped beyond this). */
const MAX_HINTS = 10_000

/**
 * Remembers how many history messages fitted into each conversation's last context, so the
 * next turn fetches only a little more than that instead of the full window. In memory only;
 * a missing hint just means a full-window fetch.
 */
export class WindowHints {
  readonly #hints = new Map<string, number>()

  get(conversationId: string): number | undefined {
    return this.#hints.get(conversationId)
  }

  set(conversationId: string, included: number): void {
    this.#hints.delete(conversationId)
    this.#hints.set(conversationId, included)
    if (this.#hints.size > MAX_HINTS) {
      const oldest = this.#hints.keys().next().value
      if (oldest !== undefined) this.#hints.delete(oldest)
    }
  }
}

export interface LoadContextRequest {
  readonly conversation: Conversation
  readonly persona: Persona
  readonly userName: string
  readonly group: boolean
  readonly budgetTokens: number
  readonly estimate: (text: string) => number
}

export interface LoadedContext {
  readonly built: BuiltContext
  /** True when older stored messages exist beyond what was fetched or fitted. */
  readonly overflow: boolean
}

/**
 * Fetches a bounded window of the conversation (never the whole of it) and fits the prompt
 * into the budget with `buildContext`. Throws `CONTEXT_TOO_LARGE` like `buildContext`.
 */
export async function loadContext(
  conversations: ConversationStore,
  hints: WindowHints,
  req: LoadContextRequest,
): Promise<LoadedContext> {
  const hint = hints.get(req.conversation.id)
  let limit = hint === undefined ? HISTORY_WINDOW : Math.min(HISTORY_WINDOW, hint + WINDOW_SLACK)
  let fetched = await conversations.recent(req.conversation.id, limit)
  let built = fitWindow(fetched, req)
  if (built.droppedHistory === 0 && fetched.length === limit && limit < HISTORY_WINDOW) {
    // Everything fitted and more may exist: take the full window once.
    limit = HISTORY_WINDOW
    fetched = await conversations.recent(req.conversation.id, limit)
    built = fitWindow(fetched, req)
  }
  hints.set(req.conversation.id, built.includedHistory)
  return { built, overflow: built.droppedHistory > 0 || fetched.length >= HISTORY_WINDOW }
}

function fitWindow(
  fetched: Awaited<ReturnType<ConversationStore['recent']>>,
  req: LoadContextRequest,
): BuiltContext {
  const history: HistoryMessage[] = []
  for (const m of fetched) {
    if (m.role === 'system' || m.status === 'failed' || m.content.trim() === '') continue
    history.push({ id: m.id, role: m.role, content: m.content, speakerName: m.speakerName })
  }
  const parts = personaPromptParts(
    req.persona,
    req.userName,
    history.map((h) => h.content),
    req.estimate,
  )
  return buildContext(
    { ...parts, memory: req.conversation.summary, history, group: req.group },
    { budgetTokens: req.budgetTokens, estimate: req.estimate },
  )
}
