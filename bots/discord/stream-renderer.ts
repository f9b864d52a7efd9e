import type { Logger } from '../../src/core/ports/logger.js'
import type { PersonaSummary, ReplyEvent, UserFacingError } from '../../src/core/types.js'
import type { CustomIdCodec } from './custom-id.js'
import { discordChunks } from './discord-markdown.js'
import type { EditScheduler } from './edit-scheduler.js'
import { PostedMessages } from './posted-messages.js'
import type { RenderTarget } from './render-target.js'
import { regenerateButtons, stopButtons } from './reply-buttons.js'
import { replyEnding } from './reply-ending.js'
import {
  type ButtonRow,
  isPermissionError,
  type OutgoingPart,
  type ReplySurface,
} from './reply-surface.js'

export interface RenderDeps {
  readonly scheduler: EditScheduler
  readonly codec: CustomIdCodec
  readonly log: Logger
}

export interface RenderOptions {
  readonly typingIntervalMs?: number
  /** Aborts generation (used when we cannot post at all). */
  readonly abort?: () => void
}

type Phase = 'waiting' | 'streaming' | 'final'

/**
 * Renders one reply stream: a placeholder as soon as the persona is known (queue position,
 * "loading the model"), edits spaced by the per-channel scheduler with the latest text, follow-up
 * messages beyond 2,000 characters, a Stop button while streaming and Regenerate at the end.
 * The final edit always carries the complete text. Never throws.
 */
export async function renderReply(
  deps: RenderDeps,
  target: RenderTarget,
  events: AsyncIterable<ReplyEvent>,
  options: RenderOptions = {},
): Promise<void> {
  const renderer = new StreamRender(deps, target, options)
  await renderer.run(events)
}

class StreamRender {
  readonly #deps: RenderDeps
  readonly #target: RenderTarget
  readonly #options: RenderOptions
  readonly #streamKey = `s${Math.random().toString(36).slice(2)}`
  #surface: ReplySurface | null = null
  #status = '…'
  #body = ''
  #footer = ''
  #phase: Phase = 'waiting'
  #regenerate = false
  readonly #posted: PostedMessages
  #failed = false

  constructor(deps: RenderDeps, target: RenderTarget, options: RenderOptions) {
    this.#deps = deps
    this.#target = target
    this.#options = options
    this.#posted = new PostedMessages((id) => target.onPosted(id))
  }

  async run(events: AsyncIterable<ReplyEvent>): Promise<void> {
    const typing = this.#startTyping()
    try {
      let seen = 0
      for await (const event of events) {
        seen += 1
        await this.#on(event)
      }
      if (seen === 0) {
        this.#deps.log.warn('reply stream ended without any event')
        return
      }
      if (this.#phase !== 'final') {
        await this.#finish({ code: 'INTERNAL', params: {} }, undefined)
      }
    } catch (err) {
      this.#deps.log.error({ err }, 'reply stream failed')
      await this.#finish({ code: 'INTERNAL', params: {} }, this.#body || undefined)
    } finally {
      clearInterval(typing)
    }
  }

  async #on(event: ReplyEvent): Promise<void> {
    switch (event.type) {
      case 'accepted':
        await this.#open(event.persona)
        return
      case 'queued':
        this.#status = `⏳ Waiting in line: #${event.position}…`
        this.#schedule()
        return
      case 'loading':
        this.#status = '⌛ Loading the model, this can take a moment…'
        this.#schedule()
        return
      case 'started':
        this.#status = '✍️ …'
        this.#schedule()
        return
      case 'delta': {
        // The first words skip the pacing gap: they go as soon as the channel has a slot.
        const first = this.#phase !== 'streaming'
        this.#phase = 'streaming'
        this.#body += event.text
        this.#schedule(first)
        return
      }
      case 'done':
        this.#body = event.text
        this.#regenerate = true
        this.#phase = 'final'
        if (!this.#surface) await this.#open(event.persona)
        await this.#flush()
        return
      case 'error':
        await this.#finish(event.error, event.partialText)
        return
    }
  }

  async #finish(error: UserFacingError, partialText: string | undefined): Promise<void> {
    const ending = replyEnding(error, partialText)
    this.#body = ending.body
    this.#footer = ending.footer
    this.#regenerate = ending.regenerate
    this.#phase = 'final'
    if (!this.#surface) await this.#open(null)
    await this.#flush()
  }

  async #open(persona: PersonaSummary | null): Promise<void> {
    if (this.#surface) return
    try {
      this.#surface = await this.#target.surfaceFor(persona)
    } catch (err) {
      await this.#fail(err)
      return
    }
    if (this.#phase !== 'waiting') return
    // The placeholder goes out at once and counts against the channel's write budget.
    this.#deps.scheduler.noteSend(this.#surface.channelKey)
    await this.#sync()
  }

  #schedule(first = false): void {
    const surface = this.#surface
    if (!surface || this.#failed) return
    this.#deps.scheduler
      .submit(surface.channelKey, this.#streamKey, () => this.#sync(), { first })
      .catch((err: unknown) => this.#deps.log.debug({ err }, 'intermediate edit skipped'))
  }

  async #flush(): Promise<void> {
    const surface = this.#surface
    if (!surface || this.#failed) return
    try {
      await this.#deps.scheduler.submit(surface.channelKey, this.#streamKey, () => this.#sync(), {
        final: true,
      })
    } catch (err) {
      this.#deps.log.warn({ err }, 'final edit failed')
    }
  }

  /** Makes the posted messages match the current state (edits changed ones, sends new ones). */
  async #sync(): Promise<void> {
    const surface = this.#surface
    if (!surface || this.#failed) return
    try {
      await this.#posted.sync(surface, this.#parts(surface.header))
    } catch (err) {
      if (isPermissionError(err)) await this.#fail(err)
      else throw err
    }
  }

  async #fail(err: unknown): Promise<void> {
    if (this.#failed) return
    this.#failed = true
    this.#options.abort?.()
    this.#deps.log.warn({ err }, 'cannot post the reply')
    await this.#target.onPermissionError(err)
  }

  #parts(header: string): OutgoingPart[] {
    const text = this.#phase === 'waiting' ? this.#status : `${this.#body}${this.#footer}`
    const streaming = this.#phase === 'streaming'
    const chunks = discordChunks(text, header.length, streaming)
    if (chunks.length === 0) chunks.push('…')
    return chunks.map((chunk, i) => ({
      content: i === 0 ? `${header}${chunk}` : chunk,
      components: i === chunks.length - 1 ? this.#buttons() : [],
    }))
  }

  #buttons(): ButtonRow[] {
    if (this.#phase !== 'final') return stopButtons(this.#deps.codec, this.#target.ownerId)
    return this.#regenerate ? regenerateButtons(this.#deps.codec) : []
  }

  #startTyping(): NodeJS.Timeout {
    const tick = () => {
      if (this.#phase === 'final' || this.#failed) return
      this.#target.typing().catch((err: unknown) => {
        this.#deps.log.debug({ err }, 'typing indicator failed')
      })
    }
    tick()
    return setInterval(tick, this.#options.typingIntervalMs ?? 8_000)
  }
}
