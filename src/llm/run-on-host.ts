import { AppError } from '../core/errors.js'
import type { LlmChatRequest, LlmEvent } from '../core/ports/llm.js'
import {
  LlmTimeoutError,
  OllamaConnectionError,
  OllamaResponseError,
  OllamaStreamError,
} from './errors.js'
import type { LlmHost } from './llm-host.js'
import type { LlmMetrics } from './llm-metrics.js'
import type { RecentDurations } from './recent-durations.js'

const PREMIUM = 2_000_000
const RETRY_BOOST = 1_000_000

export interface Generation {
  readonly request: LlmChatRequest
  readonly emit: (event: LlmEvent) => void
  /** Priority inside the tier: lower for users with more requests outstanding. */
  readonly round: number
  /** Set once `started` went out: from then on no retry and no fallback. */
  delivered: boolean
}

/** What running one try on a host needs from the client that routes it. */
export interface HostRunContext {
  readonly hosts: readonly LlmHost[]
  readonly metrics: LlmMetrics
  readonly now: () => number
  readonly durations: RecentDurations
  readonly maxQueue: number
  readonly firstTokenTimeoutMs: number
  /** Requests waiting on all hosts. */
  waiting(): number
}

/**
 * One try of a generation on one host: refuses with `LLM_BUSY` when the queues are full,
 * waits for a slot (premium first, then the person's round), streams the events out, and
 * tells the host's breaker and concurrency controller what it learned.
 */
export async function runOnHost(
  ctx: HostRunContext,
  host: LlmHost,
  model: string,
  generation: Generation,
  fallbackUsed: boolean,
  isRetry: boolean,
): Promise<void> {
  const { request, emit } = generation
  if (!isRetry && host.queue.full && ctx.waiting() >= ctx.maxQueue) {
    throw new AppError('LLM_BUSY', 'the LLM queue is full', {
      retryAfterSeconds: ctx.durations.estimateWaitSeconds(
        ctx.waiting(),
        ctx.hosts.reduce((n, h) => n + h.queue.concurrency, 0),
      ),
    })
  }
  if (!host.breaker.acquire()) throw new OllamaConnectionError(host.name, model)
  let reachable: boolean | null = null
  const wasLoaded = host.isLoaded(model)
  const enqueuedAt = ctx.now()
  const priority = (request.tier === 'premium' ? PREMIUM : 0) + (isRetry ? RETRY_BOOST : 0)
  try {
    await host.queue.run(
      async () => {
        const startedAt = ctx.now()
        const inFlight = host.queue.running
        const warm = host.isLoaded(model)
        let firstTokenMs = 0
        ctx.metrics.queueWait(request.tier, (startedAt - enqueuedAt) / 1000)
        await host.client.generate({ ...request, model }, (event) => {
          if (event.type === 'delta' || event.type === 'loading') {
            emit(event)
          } else if (event.type === 'started') {
            generation.delivered = true
            reachable = true
            firstTokenMs = ctx.now() - startedAt
            ctx.metrics.firstToken(host.name, model, firstTokenMs / 1000)
            emit(event)
          } else if (event.type === 'done') {
            ctx.durations.record(ctx.now() - startedAt)
            ctx.metrics.completed(host.name, model, {
              perSecond: event.tokensPerSecond,
              prompt: event.promptTokens,
              completion: event.completionTokens,
            })
            // A cold model's first token includes loading it: no sign of waiting for a slot.
            if (warm) {
              host.concurrency.observe({
                sentAt: startedAt,
                inFlight,
                firstTokenMs,
                promptTokens: event.promptTokens,
                tokensPerSecond: event.tokensPerSecond,
              })
            }
            host.markLoaded(model)
            emit({ ...event, fallbackUsed })
          }
        })
        reachable = true
      },
      {
        priority,
        person: `${request.tier}:${request.userKey}`,
        round: generation.round,
        signal: request.signal,
        onPosition: (position) => emit({ type: 'queued', position }),
      },
    )
  } catch (err) {
    if (err instanceof OllamaConnectionError) reachable = false
    else if (err instanceof OllamaResponseError || err instanceof OllamaStreamError) {
      reachable = true
    }
    if (err instanceof LlmTimeoutError && err.phase === 'first_token' && !wasLoaded) {
      throw new LlmTimeoutError(host.name, model, 'first_token', ctx.firstTokenTimeoutMs, {
        whileLoading: true,
        cause: err,
      })
    }
    throw err
  } finally {
    if (reachable === true) host.breaker.recordSuccess()
    else if (reachable === false) host.breaker.recordFailure()
    else host.breaker.release()
    ctx.metrics.hostUp(host.name, host.breaker.state === 'closed')
  }
}
