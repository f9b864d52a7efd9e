import type { Clock } from './ports/clock.js'
import type { LlmClient } from './ports/llm.js'
import type { Logger } from './ports/logger.js'
import type { ConversationStore } from './ports/stores.js'

export interface MemoryJob {
  readonly conversationId: string
  readonly personaName: string
  readonly model: string
  readonly fallbackModel?: string | undefined
  readonly numCtx: number
  /** Only messages older than this id (out of the context window) are condensed. */
  readonly beforeId: number
}

export interface MemoryWriterDeps {
  readonly conversations: ConversationStore
  readonly llm: LlmClient
  readonly log: Logger
  readonly now: Clock
}

/** Messages condensed per round; older ones wait for the next round. */
const BATCH = 60
/** Fewer new messages than this are not worth a summary call (it costs a model run). */
const MIN_NEW = 10

/**
 * Condenses turns that fell out of the context window into the conversation's rolling
 * summary, in the background, one job per conversation at a time. Never throws: failures
 * are logged and the old summary stays.
 */
export class MemoryWriter {
  readonly #deps: MemoryWriterDeps
  readonly #running = new Map<string, { done: Promise<void>; abort: AbortController }>()
  readonly #abort = new AbortController()
  /** Conversations being forgotten: no job starts for them until released. */
  readonly #held = new Map<string, number>()

  constructor(deps: MemoryWriterDeps) {
    this.#deps = deps
  }

  /** Starts a job unless one runs for the conversation already. */
  schedule(job: MemoryJob): void {
    if (this.#abort.signal.aborted || this.#running.has(job.conversationId)) return
    if (this.#held.has(job.conversationId)) return
    const abort = new AbortController()
    const signal = AbortSignal.any([this.#abort.signal, abort.signal])
    const done = this.#run(job, signal).finally(() => this.#running.delete(job.conversationId))
    this.#running.set(job.conversationId, { done, abort })
  }

  /** Resolves when every job in flight has finished. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()].map((r) => r.done))
  }

  /**
   * For `/forget`: cancels the jobs of these conversations, waits for them to settle and starts
   * no new one for them until the returned `release` is called (after the deletion), so no
   * summary of deleted messages is written afterwards.
   */
  async hold(conversationIds: readonly string[]): Promise<() => void> {
    for (const id of conversationIds) this.#held.set(id, (this.#held.get(id) ?? 0) + 1)
    const jobs = conversationIds.flatMap((id) => {
      const job = this.#running.get(id)
      return job ? [job] : []
    })
    for (const job of jobs) job.abort.abort()
    await Promise.all(jobs.map((job) => job.done))
    let released = false
    return () => {
      if (released) return
      released = true
      for (const id of conversationIds) {
        const n = (this.#held.get(id) ?? 1) - 1
        if (n <= 0) this.#held.delete(id)
        else this.#held.set(id, n)
      }
    }
  }

  /** Cancels running jobs and waits for them to settle. */
  async close(): Promise<void> {
    this.#abort.abort()
    await this.idle()
  }

  async #run(job: MemoryJob, signal: AbortSignal): Promise<void> {
    const { conversations, llm, log, now } = this.#deps
    try {
      const conversation = await conversations.get(job.conversationId)
      if (!conversation) return
      const older = await conversations.recent(job.conversationId, BATCH, job.beforeId)
      const fresh = older.filter(
        (m) =>
          (conversation.summaryUpTo === null || m.id > conversation.summaryUpTo) &&
          m.status !== 'failed' &&
          m.content.trim() !== '' &&
          m.role !== 'system',
      )
      const last = fresh.at(-1)
      if (!last || fresh.length < MIN_NEW) return
      const transcript = fresh
        .map((m) =>
          m.role === 'assistant'
            ? `${job.personaName}: ${m.content}`
            : `${m.speakerName ?? 'User'}: ${m.content}`,
        )
        .join('\n')
      const prompt = [
        conversation.summary
          ? `Current summary:\n${conversation.summary}`
          : 'There is no summary yet.',
        `New messages:\n${transcript}`,
        'Write the updated summary: keep every lasting fact (names, preferences, plans, events, promises) and drop small talk. Plain prose, at most 200 words.',
      ].join('\n\n')
      let summary = ''
      for await (const event of llm.chat({
        model: job.model,
        fallbackModel: job.fallbackModel,
        messages: [
          {
            role: 'system',
            content: `You keep the long-term memory of a chat with ${job.personaName}. You answer with the summary only.`,
          },
          { role: 'user', content: prompt },
        ],
        options: { temperature: 0.2, num_ctx: job.numCtx },
        think: false,
        tier: 'free',
        userKey: 'memory',
        signal,
      })) {
        if (event.type === 'done') summary = event.text.trim()
      }
      if (!summary || signal.aborted) return
      await conversations.setSummary(job.conversationId, summary, last.id, now())
      log.debug({ conversationId: job.conversationId, upTo: last.id }, 'memory summary updated')
    } catch (err) {
      if (signal.aborted) return
      log.warn({ err, conversationId: job.conversationId }, 'memory summary failed')
    }
  }
}
