import type { Caller, Speaker } from './caller.js'
import { AppError, toAppError } from './errors.js'
import { type GenerateDeps, generateReply } from './generate-reply.js'
import { validateInput } from './input.js'
import { type Persona, summarizePersona } from './persona.js'
import type { Clock } from './ports/clock.js'
import type { Logger } from './ports/logger.js'
import type { Stores } from './ports/stores.js'
import type { Rules, SettingsReader } from './rules.js'
import { chatScope, type Place } from './scopes.js'
import { SingleFlight, type Turn } from './single-flight.js'
import type { Conversation, InboundMessage, ReplyEvent } from './types.js'

export interface ReplyEngineDeps {
  readonly rules: Rules
  /** Chat settings (should I answer?) and conversations (the message, regenerate). */
  readonly stores: Pick<Stores, 'chatSettings' | 'conversations'>
  readonly log: Logger
  readonly now: Clock
  /** What each generation needs (stores, llm, estimator, memory, window hints, log, clock). */
  readonly generate: GenerateDeps
}

/** What one admitted turn runs with: who speaks, which persona answers, on which model. */
interface Admission {
  readonly speaker: Speaker
  readonly persona: Persona
  readonly model: string
}

export interface ReplyEngineOptions {
  readonly maxInputChars: number
}

/**
 * The reply flow of the conversation core: validation, gating, single flight per account and
 * streaming generation, plus stop and graceful shutdown.
 */
export class ReplyEngine {
  readonly #rules: Rules
  readonly #deps: ReplyEngineDeps
  readonly #generate: GenerateDeps
  readonly #options: ReplyEngineOptions
  readonly #flight = new SingleFlight()
  readonly #inFlight = new Set<Promise<void>>()
  /** The turns in flight per account, so `/forget` can wait for them to end. */
  readonly #byAccount = new Map<string, Set<Promise<void>>>()
  #closing = false

  constructor(deps: ReplyEngineDeps, options: ReplyEngineOptions) {
    this.#rules = deps.rules
    this.#deps = deps
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

  get #stores(): ReplyEngineDeps['stores'] {
    return this.#deps.stores
  }

  /**
   * See `ChatCore.reply`. Decides once whether to answer: a message not for us (an unaddressed
   * group message) ends the stream without any event, and so does a failure to tell.
   */
  async *reply(message: InboundMessage, signal?: AbortSignal): AsyncGenerator<ReplyEvent> {
    const settings = this.#rules.settingsReader()
    try {
      if (!(await this.shouldRespond(message, settings))) return
    } catch (err) {
      this.#deps.log.error({ err }, 'shouldRespond failed')
      return
    }
    try {
      if (this.#closing) throw new AppError('CANCELLED', 'shutting down')
      const text = validateInput(message.text, this.#options.maxInputChars)
      const speaker = await this.#rules.speaker(
        message.platform,
        message.platformUserId,
        message.displayName,
        message.handle,
      )
      const admitted = await this.#admit(message, speaker, settings)
      yield* this.#turn(message, admitted, signal, async (conversation) => {
        await this.#stores.conversations.append({
          conversationId: conversation.id,
          role: 'user',
          accountId: speaker.account.id,
          speakerName: message.displayName,
          content: text,
          status: 'complete',
          createdAt: this.#deps.now(),
        })
        return true
      })
    } catch (err) {
      yield this.#errorEvent(err)
    }
  }

  /** See `ConversationService.regenerate`; the caller was resolved by the command runner. */
  async *regenerate(caller: Caller, signal?: AbortSignal): AsyncGenerator<ReplyEvent> {
    try {
      if (this.#closing) throw new AppError('CANCELLED', 'shutting down')
      const admitted = await this.#admit(caller, caller, this.#rules.settingsReader())
      yield* this.#turn(caller, admitted, signal, async (conversation) => {
        const conversations = this.#stores.conversations
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
      })
    } catch (err) {
      yield this.#errorEvent(err)
    }
  }

  /** The one admission step of every turn: persona here, adult/premium access, quota, model. */
  async #admit(
    place: Place & { adultAllowed: boolean },
    speaker: Speaker,
    settings: SettingsReader,
  ): Promise<Admission> {
    const persona = await this.#rules.personaFor(place, speaker.account.id, settings)
    await this.#rules.checkPersonaAccess(persona, place, speaker, settings)
    await this.#rules.checkQuota(speaker)
    return { speaker, persona, model: this.#rules.modelFor(persona) }
  }

  async *#turn(
    place: Place & { displayName: string },
    { speaker, persona, model }: Admission,
    signal: AbortSignal | undefined,
    prepare: (conversation: Conversation) => Promise<boolean>,
  ): AsyncGenerator<ReplyEvent> {
    const key = speaker.account.id
    let untrack: (() => void) | undefined
    const tracked = new Promise<void>((resolve) => {
      untrack = resolve
    })
    this.#inFlight.add(tracked)
    const mine = this.#byAccount.get(key) ?? new Set<Promise<void>>()
    this.#byAccount.set(key, mine)
    mine.add(tracked)
    let turn: Turn | undefined
    let pending: Promise<Turn> | undefined
    try {
      const ahead = this.#flight.size(key)
      // The place in the account's queue is taken before the first event, so a turn accepted
      // first also runs first (the adapters hand over the chat's next message on that event).
      // close() cancels every turn through the single-flight, so only the caller's signal is passed.
      pending = this.#flight.acquire(key, signal)
      pending.catch(() => {})
      yield { type: 'accepted', persona: summarizePersona(persona), model }
      if (ahead > 0) yield { type: 'queued', position: ahead }
      turn = await pending
      // The turns ahead used quota while this one waited.
      if (ahead > 0) await this.#rules.checkQuota(speaker)
      const conversation = await this.#rules.conversation(place, speaker.account.id, persona)
      if (!(await prepare(conversation))) {
        throw new AppError('INVALID_INPUT', 'nothing to answer', {
          reason: 'There is no message of yours to answer yet.',
        })
      }
      const numCtx = await this.#rules.contextLength(model, persona, speaker.tier)
      const reserve = this.#rules.replyReserve(persona, numCtx)
      for await (const event of generateReply(this.#generate, {
        conversation,
        persona,
        accountId: speaker.account.id,
        userName: place.displayName,
        group: place.chatKind === 'group',
        tier: speaker.tier,
        model,
        fallbackModel: this.#rules.fallbackFor(persona),
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
      if (turn) turn.release()
      // A consumer that stopped before the turn came gives its place up when it comes.
      else
        void pending?.then(
          (t) => t.release(),
          () => {},
        )
      this.#inFlight.delete(tracked)
      mine.delete(tracked)
      if (mine.size === 0) this.#byAccount.delete(key)
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

  /**
   * Stops the account's turns and waits (up to `maxWaitMs`) until they have ended, so nothing
   * they still hold is written after a `/forget` deleted it. True when all ended in time.
   */
  async stopAndSettle(accountId: string, maxWaitMs: number): Promise<boolean> {
    this.#flight.cancel(accountId)
    const turns = [...(this.#byAccount.get(accountId) ?? [])]
    if (turns.length === 0) return true
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), maxWaitMs)
    })
    const settled = await Promise.race([Promise.all(turns).then(() => true as const), late])
    clearTimeout(timer)
    return settled
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
    if (error.code === 'INTERNAL') this.#deps.log.error({ err }, 'reply failed')
    else this.#deps.log.info({ code: error.code }, 'reply refused')
    // Refused or still waiting when a shutdown began: nothing was stored or answered.
    const params =
      error.code === 'CANCELLED' && this.#closing
        ? { ...error.params, restarting: 1, notStarted: 1 }
        : error.params
    return { type: 'error', error: { code: error.code, params } }
  }
}
