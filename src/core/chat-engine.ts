import type { ChatPolicy, SettingsReader, Speaker } from './chat-policy.js'
import type { Caller } from './core-services.js'
import { AppError, toAppError } from './errors.js'
import { type GenerateDeps, generateReply } from './generate-reply.js'
import { validateInput } from './input.js'
import { type Persona, summarizePersona } from './persona.js'
import type { Stores } from './ports/stores.js'
import { chatScope, type Place } from './scopes.js'
import { SingleFlight, type Turn } from './single-flight.js'
import type { Conversation, InboundMessage, ReplyEvent } from './types.js'

export interface ChatEngineDeps {
  readonly policy: ChatPolicy
  /** What each generation needs (stores, llm, estimator, memory, window hints, log, clock). */
  readonly generate: GenerateDeps
}

export interface ChatEngineOptions {
  readonly maxInputChars: number
}

/**
 * The reply flow of the conversation core: validation, gating, single flight per account and
 * streaming generation, plus stop and graceful shutdown.
 */
export class ChatEngine {
  readonly #policy: ChatPolicy
  readonly #generate: GenerateDeps
  readonly #options: ChatEngineOptions
  readonly #flight = new SingleFlight()
  readonly #inFlight = new Set<Promise<void>>()
  #closing = false

  constructor(deps: ChatEngineDeps, options: ChatEngineOptions) {
    this.#policy = deps.policy
    this.#generate = deps.generate
    this.#options = options
  }

  async shouldRespond(
    message: InboundMessage,
    settings: SettingsReader = (scope) => this.#stores.chatSettings.get(scope),
  ): Promise<boolean> {
    if (message.chatKind === 'direct') return true
    if (message.addressed) return true
    return (await settings(chatScope(message))).answerAll
  }

  get #stores(): Stores {
    return this.#generate.stores
  }

  /** See `ChatCore.reply`. */
  async *reply(message: InboundMessage, signal?: AbortSignal): AsyncGenerator<ReplyEvent> {
    try {
      if (this.#closing) throw new AppError('CANCELLED', 'shutting down')
      const settings = this.#policy.settingsReader()
      if (!(await this.shouldRespond(message, settings))) return
      const text = validateInput(message.text, this.#options.maxInputChars)
      const speaker = await this.#policy.speaker(
        message.platform,
        message.platformUserId,
        message.displayName,
      )
      const persona = await this.#policy.personaFor(message, speaker.account.id, settings)
      await this.#policy.checkPersonaAccess(persona, message, speaker, settings)
      await this.#policy.checkQuota(speaker)
      const model = this.#policy.modelFor(persona)
      yield { type: 'accepted', persona: summarizePersona(persona), model }
      yield* this.#turn(message, speaker, persona, model, signal, async (conversation) => {
        await this.#stores.conversations.append({
          conversationId: conversation.id,
          role: 'user',
          accountId: speaker.account.id,
          speakerName: message.displayName,
          content: text,
          status: 'complete',
          createdAt: this.#generate.now(),
        })
        return true
      })
    } catch (err) {
      yield this.#errorEvent(err)
    }
  }

  /** See `CoreServices.regenerate`. */
  async *regenerate(caller: Caller, signal?: AbortSignal): AsyncGenerator<ReplyEvent> {
    try {
      if (this.#closing) throw new AppError('CANCELLED', 'shutting down')
      const speaker = await this.#policy.speaker(
        caller.platform,
        caller.platformUserId,
        caller.displayName,
      )
      const settings = this.#policy.settingsReader()
      const persona = await this.#policy.personaFor(caller, speaker.account.id, settings)
      await this.#policy.checkPersonaAccess(persona, caller, speaker, settings)
      await this.#policy.checkQuota(speaker)
      const model = this.#policy.modelFor(persona)
      yield { type: 'accepted', persona: summarizePersona(persona), model }
      yield* this.#turn(caller, speaker, persona, model, signal, async (conversation) => {
        const conversations = this.#stores.conversations
        const rows = await conversations.recent(conversation.id, 2)
        const tail = rows.at(-1)
        const before = rows.length > 1 ? rows[0] : undefined
        if (tail?.role === 'user') return true
        if (tail?.role !== 'assistant' || before?.role !== 'user') return false
        await conversations.deleteMessage(tail.id)
        return true
      })
    } catch (err) {
      yield this.#errorEvent(err)
    }
  }

  async *#turn(
    place: Place & { displayName: string },
    speaker: Speaker,
    persona: Persona,
    model: string,
    signal: AbortSignal | undefined,
    prepare: (conversation: Conversation) => Promise<boolean>,
  ): AsyncGenerator<ReplyEvent> {
    const key = speaker.account.id
    let untrack: (() => void) | undefined
    const tracked = new Promise<void>((resolve) => {
      untrack = resolve
    })
    this.#inFlight.add(tracked)
    let turn: Turn | undefined
    try {
      const ahead = this.#flight.size(key)
      if (ahead > 0) yield { type: 'queued', position: ahead }
      // close() cancels every turn through the single-flight, so only the caller's signal is passed.
      turn = await this.#flight.acquire(key, signal)
      // The turns ahead used quota while this one waited.
      if (ahead > 0) await this.#policy.checkQuota(speaker)
      const conversation = await this.#policy.conversation(place, speaker.account.id, persona)
      if (!(await prepare(conversation))) {
        throw new AppError('INVALID_INPUT', 'nothing to answer', {
          reason: 'There is no message of yours to answer yet.',
        })
      }
      const numCtx = await this.#policy.contextLength(model, persona, speaker.tier)
      const reserve = this.#policy.replyReserve(persona, numCtx)
      for await (const event of generateReply(this.#generate, {
        conversation,
        persona,
        accountId: speaker.account.id,
        userName: place.displayName,
        group: place.chatKind === 'group',
        tier: speaker.tier,
        model,
        fallbackModel: this.#policy.fallbackFor(persona),
        numCtx,
        replyReserve: reserve,
        signal: turn.signal,
      })) {
        // A reply cut because the process shuts down says so, so people know to regenerate.
        yield event.type === 'error' && event.error.code === 'CANCELLED' && this.#closing
          ? {
              ...event,
              error: { ...event.error, params: { ...event.error.params, restarting: 1 } },
            }
          : event
      }
    } finally {
      turn?.release()
      this.#inFlight.delete(tracked)
      untrack?.()
    }
  }

  stopAccount(accountId: string): boolean {
    return this.#flight.cancel(accountId)
  }

  /** Replies running or waiting for their turn. */
  get inFlight(): number {
    return this.#inFlight.size
  }

  /** Stops intake, waits up to `graceMs` for replies in flight, then cancels them. */
  async close(graceMs: number): Promise<void> {
    const pending = Promise.all([...this.#inFlight])
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs)
    })
    this.#closing = true
    await Promise.race([pending, grace])
    clearTimeout(timer)
    this.#flight.cancelAll()
    await pending
    await this.#generate.memory.close()
  }

  get closing(): boolean {
    return this.#closing
  }

  #errorEvent(err: unknown): ReplyEvent {
    const error = toAppError(err)
    if (error.code === 'INTERNAL') this.#generate.log.error({ err }, 'reply failed')
    else this.#generate.log.info({ code: error.code }, 'reply refused')
    // Refused or still waiting when a shutdown began: nothing was stored or answered.
    const params =
      error.code === 'CANCELLED' && this.#closing
        ? { ...error.params, restarting: 1, notStarted: 1 }
        : error.params
    return { type: 'error', error: { code: error.code, params } }
  }
}
