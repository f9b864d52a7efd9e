import type { MediaTurn, MediaTurns } from './attachments/media-turn.js'
import type { Caller, Speaker } from './caller.js'
import { AppError } from './errors.js'
import { type GenerateDeps, generateReply } from './generate-reply.js'
import { validateCaption, validateInput } from './input.js'
import type { ModelChoice } from './model-choice.js'
import { type Persona, summarizePersona } from './persona.js'
import type { Clock } from './ports/clock.js'
import type { Logger } from './ports/logger.js'
import type { Stores } from './ports/stores.js'
import { BLOCKED_REFUSAL, type Rules, type SettingsReader } from './rules.js'
import { chatScope, type Place } from './scopes.js'
import { SingleFlight, type Turn } from './single-flight.js'
import { errorEvent, prepareRegenerate, withNotice } from './turn-steps.js'
import { TurnTracker } from './turn-tracker.js'
import type { Conversation, InboundMessage, ReplyEvent } from './types.js'

export interface ReplyEngineDeps {
  readonly rules: Rules
  /** Chat settings (should I answer?) and conversations (the message, regenerate). */
  readonly stores: Pick<Stores, 'chatSettings' | 'conversations'>
  readonly log: Logger
  readonly now: Clock
  /** What each generation needs (stores, llm, estimator, memory, window hints, log, clock). */
  readonly generate: GenerateDeps
  /** The chat's `/model` choice and what can see pictures. */
  readonly choice: ModelChoice
  /** Attachments: limits, downloads, picture routing and cost. */
  readonly media: MediaTurns
}

/** What one admitted turn runs with: who speaks, which persona answers, on which model. */
interface Admission {
  readonly speaker: Speaker
  readonly persona: Persona
  readonly model: string
  /** Pictures and files of this turn, when the message had any. */
  readonly media?: MediaTurn | undefined
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
  readonly #turns = new TurnTracker()
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
      const attachments = message.attachments ?? []
      const max = this.#options.maxInputChars
      const text = attachments.length
        ? validateCaption(message.text, max)
        : validateInput(message.text, max)
      const speaker = await this.#rules.speaker(
        message.platform,
        message.platformUserId,
        message.displayName,
        message.handle,
      )
      const verdict = await this.#rules.blockVerdict(speaker)
      if (verdict === 'ignore') {
        this.#deps.log.info(
          { accountId: speaker.account.id },
          'message of a blocked person ignored',
        )
        return
      }
      if (verdict === 'refuse') {
        this.#deps.log.info({ accountId: speaker.account.id }, 'blocked person refused once')
        throw new AppError('NOT_ALLOWED', 'blocked', { reason: BLOCKED_REFUSAL })
      }
      let admitted = await this.#admit(message, speaker, settings)
      let media: MediaTurn | undefined
      if (attachments.length) {
        const input = { attachments, text, persona: admitted.persona, speaker }
        media = await this.#deps.media.prepare(
          { ...input, model: admitted.model },
          signal ?? new AbortController().signal,
        )
        admitted = { ...admitted, model: media.model, media }
      }
      yield* this.#turn(message, admitted, signal, async (conversation) => {
        await this.#stores.conversations.append({
          conversationId: conversation.id,
          role: 'user',
          accountId: speaker.account.id,
          speakerName: message.displayName,
          content: media?.content ?? text,
          status: 'complete',
          createdAt: this.#deps.now(),
        })
        return true
      })
    } catch (err) {
      yield errorEvent(err, this.#closing, this.#deps.log)
    }
  }

  /** See `ConversationService.regenerate`; the caller was resolved by the command runner. */
  async *regenerate(caller: Caller, signal?: AbortSignal): AsyncGenerator<ReplyEvent> {
    try {
      if (this.#closing) throw new AppError('CANCELLED', 'shutting down')
      const admitted = await this.#admit(caller, caller, this.#rules.settingsReader())
      yield* this.#turn(caller, admitted, signal, (conversation) =>
        prepareRegenerate(this.#stores.conversations, caller, conversation),
      )
    } catch (err) {
      yield errorEvent(err, this.#closing, this.#deps.log)
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
    const model = await this.#deps.choice.modelFor(
      place,
      this.#rules.modelFor(persona),
      speaker,
      settings,
    )
    return { speaker, persona, model }
  }

  async *#turn(
    place: Place & { displayName: string },
    { speaker, persona, model, media }: Admission,
    signal: AbortSignal | undefined,
    prepare: (conversation: Conversation) => Promise<boolean>,
  ): AsyncGenerator<ReplyEvent> {
    const key = speaker.account.id
    const untrack = this.#turns.start(key)
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
      for await (let event of generateReply(this.#generate, {
        conversation,
        persona,
        accountId: speaker.account.id,
        platform: place.platform,
        userName: place.displayName,
        group: place.chatKind === 'group',
        tier: speaker.tier,
        model,
        fallbackModel: this.#rules.fallbackFor(persona),
        numCtx,
        replyReserve: reserve,
        signal: turn.signal,
        images: media?.images,
        messageCost: media?.cost,
      })) {
        if (media?.notice) event = withNotice(event, media.notice)
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
      untrack()
    }
  }

  stopAccount(accountId: string): boolean {
    return this.#flight.cancel(accountId)
  }

  /** Replies running or waiting for their turn. */
  get inFlight(): number {
    return this.#turns.size
  }

  /**
   * Stops the account's turns and waits (up to `maxWaitMs`) until they have ended, so nothing
   * they still hold is written after a `/forget` deleted it. True when all ended in time.
   */
  async stopAndSettle(accountId: string, maxWaitMs: number): Promise<boolean> {
    this.#flight.cancel(accountId)
    return this.#turns.settle(accountId, maxWaitMs)
  }

  /** Stops intake, waits up to `graceMs` for replies in flight, then cancels them. */
  async close(graceMs: number): Promise<void> {
    const pending = this.#turns.all()
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
}
