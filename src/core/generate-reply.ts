import { AppError, toAppError } from './errors.js'
import { loadContext, type WindowHints } from './load-context.js'
import type { MemoryWriter } from './memory-writer.js'
import { type Persona, summarizePersona } from './persona.js'
import type { Clock } from './ports/clock.js'
import type { ChatMessage, LlmClient, ModelOptions } from './ports/llm.js'
import type { Logger } from './ports/logger.js'
import type { Stores } from './ports/stores.js'
import { utcDay } from './quota.js'
import type { TokenEstimator } from './token-estimator.js'
import type { Conversation, DailyUsage, Platform, ReplyEvent, Tier } from './types.js'

/** Partial replies are written to the database at most this often while streaming. */
export const PARTIAL_FLUSH_MS = 1_000

export interface GenerateDeps {
  readonly stores: Stores
  readonly llm: LlmClient
  readonly estimator: TokenEstimator
  readonly memory: MemoryWriter
  readonly windowHints: WindowHints
  readonly log: Logger
  readonly now: Clock
}

/** One turn to generate: the conversation already holds the message to answer. */
export interface GenerateRequest {
  readonly conversation: Conversation
  readonly persona: Persona
  readonly accountId: string
  /** Where the person spoke: usage is rolled up per platform and persona for the console. */
  readonly platform?: Platform | undefined
  readonly userName: string
  readonly group: boolean
  readonly tier: Tier
  readonly model: string
  readonly fallbackModel: string | undefined
  /** Context length to send as `num_ctx`. */
  readonly numCtx: number
  readonly replyReserve: number
  readonly signal: AbortSignal
  /** Pictures sent with the newest user message (this turn only). */
  readonly images?: readonly Uint8Array[] | undefined
  /** Messages this turn counts against the daily quota (1; IMAGE_MESSAGE_COST with pictures). */
  readonly messageCost?: number | undefined
}

/**
 * Streams one reply: builds the context, calls the model and persists the answer as it grows
 * (partial on first token, refreshed at most every second, complete with token counts on
 * done; partial or failed on error/cancel). Never throws: failures end in an `error` event.
 */
export async function* generateReply(
  deps: GenerateDeps,
  req: GenerateRequest,
): AsyncGenerator<ReplyEvent> {
  const { stores, llm, estimator, log, now } = deps
  const conversations = stores.conversations
  const usageWhere = req.platform
    ? { platform: req.platform, personaId: req.persona.id }
    : undefined
  const local = new AbortController()
  const signal = local.signal
  const forward = () => local.abort()
  if (req.signal.aborted) local.abort()
  else req.signal.addEventListener('abort', forward, { once: true })
  const cost = req.messageCost ?? 1
  let text = ''
  let assistantId: number | null = null
  let finished = false
  try {
    const estimate = estimator.forModel(req.model)
    const { built, overflow } = await loadContext(conversations, deps.windowHints, {
      conversation: req.conversation,
      persona: req.persona,
      userName: req.userName,
      group: req.group,
      budgetTokens: req.numCtx - req.replyReserve,
      estimate,
    })
    const options: ModelOptions = { ...req.persona.options, num_ctx: req.numCtx }
    let lastFlush = 0
    for await (const event of llm.chat({
      model: req.model,
      fallbackModel: req.fallbackModel,
      messages: withImages(built.messages, req.images),
      options,
      think: req.persona.think,
      tier: req.tier,
      userKey: req.accountId,
      signal,
    })) {
      switch (event.type) {
        case 'queued':
          yield { type: 'queued', position: event.position }
          break
        case 'loading':
          yield { type: 'loading' }
          break
        case 'started':
          yield { type: 'started', model: event.model }
          break
        case 'delta': {
          if (event.text === '') break
          text += event.text
          if (assistantId === null) {
            const stored = await conversations.append({
              conversationId: req.conversation.id,
              role: 'assistant',
              content: text,
              status: 'partial',
              model: req.model,
              createdAt: now(),
            })
            assistantId = stored.id
            lastFlush = now()
          } else if (now() - lastFlush >= PARTIAL_FLUSH_MS) {
            lastFlush = now()
            await conversations.update(assistantId, { content: text })
          }
          yield { type: 'delta', text: event.text }
          break
        }
        case 'done': {
          const final = event.text || text
          const patch = {
            content: final,
            status: 'complete' as const,
            promptTokens: event.promptTokens,
            completionTokens: event.completionTokens,
            model: event.model,
          }
          // One commit for the finished reply and its usage.
          const partialId = assistantId
          assistantId = await stores.transaction(async (tx) => {
            let id = partialId
            if (id === null) {
              const stored = await tx.conversations.append({
                conversationId: req.conversation.id,
                role: 'assistant',
                createdAt: now(),
                ...patch,
              })
              id = stored.id
            } else {
              await tx.conversations.update(id, patch)
            }
            await tx.usage.add(
              req.accountId,
              utcDay(now()),
              {
                messages: cost,
                promptTokens: event.promptTokens,
                completionTokens: event.completionTokens,
              },
              usageWhere,
            )
            return id
          })
          finished = true
          if (!event.cached) {
            const chars = built.messages.reduce((n, m) => n + m.content.length, 0)
            estimator.observe(
              event.model,
              chars,
              event.promptTokens,
              built.messages.length,
              req.numCtx,
            )
          }
          if (overflow) {
            const beforeId = built.oldestIncludedId
            if (beforeId !== null) {
              deps.memory.schedule({
                conversationId: req.conversation.id,
                personaName: req.persona.nickname || req.persona.name,
                model: req.model,
                fallbackModel: req.fallbackModel,
                numCtx: req.numCtx,
                beforeId,
              })
            }
          }
          yield {
            type: 'done',
            text: final,
            persona: summarizePersona(req.persona),
            model: event.model,
            fallbackUsed: event.fallbackUsed,
            promptTokens: event.promptTokens,
            completionTokens: event.completionTokens,
            messageId: String(assistantId),
          }
          return
        }
      }
    }
    throw new AppError('INTERNAL', 'model stream ended without done')
  } catch (err) {
    const error = signal.aborted ? new AppError('CANCELLED', 'cancelled') : toAppError(err)
    if (error.code === 'INTERNAL') log.error({ err, model: req.model }, 'reply failed')
    else log.warn({ code: error.code, model: req.model, err }, 'reply ended with an error')
    await saveUnfinished()
    await countUsage({ messages: cost })
    finished = true
    yield {
      type: 'error',
      // `midReply` lets adapters say the answer broke off rather than that nothing came.
      error: { code: error.code, params: text ? { ...error.params, midReply: 1 } : error.params },
      ...(text ? { partialText: text } : {}),
    }
  } finally {
    req.signal.removeEventListener('abort', forward)
    if (!finished) {
      // The consumer stopped iterating: stop the model and keep what streamed.
      local.abort()
      await saveUnfinished()
      await countUsage({ messages: cost })
    }
  }

  /** One usage write per turn: the message (answered or not) and the tokens it cost. */
  async function countUsage(delta: Partial<DailyUsage>): Promise<void> {
    try {
      await stores.usage.add(req.accountId, utcDay(now()), delta, usageWhere)
    } catch (err) {
      log.error({ err, accountId: req.accountId }, 'could not count usage')
    }
  }

  async function saveUnfinished(): Promise<void> {
    try {
      if (assistantId !== null) {
        await conversations.update(assistantId, { content: text, status: 'partial' })
      } else {
        await conversations.append({
          conversationId: req.conversation.id,
          role: 'assistant',
          content: '',
          status: 'failed',
          model: req.model,
          createdAt: now(),
        })
      }
    } catch (err) {
      log.error({ err }, 'could not save an unfinished reply')
    }
  }
}

/** The pictures go with the newest user message, the one this turn answers. */
function withImages(
  messages: ChatMessage[],
  images: readonly Uint8Array[] | undefined,
): ChatMessage[] {
  if (!images?.length) return messages
  const at = messages.findLastIndex((m) => m.role === 'user')
  if (at < 0) return messages
  return messages.map((m, i) => (i === at ? { ...m, images } : m))
}
