import type { Caller } from './caller.js'
import { type ForgetOutcome, forgetAccount } from './forget-account.js'
import type { MemoryWriter } from './memory-writer.js'
import type { Persona } from './persona.js'
import type { Clock } from './ports/clock.js'
import type { ExportFiles } from './ports/export-files.js'
import type { LlmClient } from './ports/llm.js'
import type { Logger } from './ports/logger.js'
import type { Stores } from './ports/stores.js'
import type { ReplyEngine } from './reply-engine.js'
import type { Rules } from './rules.js'
import { conversationScope } from './scopes.js'
import type { ReplyEvent } from './types.js'

export interface ConversationServiceDeps {
  readonly engine: ReplyEngine
  readonly rules: Rules
  readonly stores: Pick<
    Stores,
    'accounts' | 'conversations' | 'personalData' | 'transaction' | 'scrubDeleted'
  >
  readonly memory: MemoryWriter
  readonly llm: LlmClient
  /** Where the terminal saves `/export` files; `/forget` removes the person's. */
  readonly exportFiles?: ExportFiles | undefined
  readonly log: Logger
  readonly now: Clock
}

/** The caller's conversation here: open, reset, regenerate, stop, memory and forget. */
export class ConversationService {
  readonly #deps: ConversationServiceDeps

  constructor(deps: ConversationServiceDeps) {
    this.#deps = deps
  }

  /**
   * Opens the conversation with the active persona here: when it is new, stores and returns
   * the persona's greeting (the persona speaks first); null when it already exists.
   */
  async open(caller: Caller): Promise<{ persona: Persona; greeting: string | null }> {
    const persona = await this.#activePersona(caller)
    const { conversation, created } = await this.#conversationHere(caller, persona)
    if (!created) return { persona, greeting: null }
    const greeting = await this.#deps.rules.appendGreeting(
      conversation.id,
      persona,
      caller.displayName,
    )
    return { persona, greeting }
  }

  /** Clears the current conversation here and returns the persona's fresh greeting. */
  async reset(caller: Caller): Promise<{ persona: Persona; greeting: string }> {
    const persona = await this.#activePersona(caller)
    const { conversation, created } = await this.#conversationHere(caller, persona)
    if (!created) await this.#deps.stores.conversations.clear(conversation.id)
    const greeting = await this.#deps.rules.appendGreeting(
      conversation.id,
      persona,
      caller.displayName,
    )
    return { persona, greeting }
  }

  /** Deletes the last reply and streams a new one to the last message. */
  regenerate(caller: Caller, signal?: AbortSignal): AsyncIterable<ReplyEvent> {
    return this.#deps.engine.regenerate(caller, signal)
  }

  /** Cancels the caller's running or queued generation. */
  stop(caller: Caller): boolean {
    return this.#deps.engine.stopAccount(caller.account.id)
  }

  /** The memory summary of the current conversation here. */
  async memory(caller: Caller): Promise<{ persona: Persona; summary: string | null }> {
    const persona = await this.#activePersona(caller)
    const scope = conversationScope(caller, caller.account.id)
    const conversations = await this.#deps.stores.conversations.listByScope(scope)
    const current = conversations.find((c) => c.personaId === persona.id)
    return { persona, summary: current?.summary ?? null }
  }

  /**
   * Deletes everything that holds the caller's words: DM conversations and their memory, their
   * messages in groups (and the replies to them), mail copies and email links, cached replies
   * and export files; then scrubs the database files. Keeps the account itself.
   */
  async forget(caller: Caller): Promise<ForgetOutcome> {
    const account = (await this.#deps.stores.accounts.get(caller.account.id)) ?? caller.account
    return forgetAccount(this.#deps, account)
  }

  #activePersona(caller: Caller): Promise<Persona> {
    return this.#deps.rules.personaFor(caller, caller.account.id)
  }

  #conversationHere(caller: Caller, persona: Persona) {
    return this.#deps.stores.conversations.getOrCreate(
      conversationScope(caller, caller.account.id),
      persona.id,
      caller.chatKind,
      this.#deps.now(),
    )
  }
}
