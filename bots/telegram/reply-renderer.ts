import type { Api, InlineKeyboard } from 'grammy'
import type { Logger } from '../../src/core/ports/logger.js'
import type { ReplyEvent } from '../../src/core/types.js'
import { closeOpenMarkdown } from '../shared/markdown-state.js'
import { userMessageFor } from '../shared/user-messages.js'
import type { EditPacer } from './edit-pacer.js'
import { MessageEditor } from './message-editor.js'
import type { UpdateJob } from './telegram-inbox.js'
import type { ChatTarget, TelegramSender } from './telegram-sender.js'
import { splitForTelegram } from './telegram-split.js'

export interface ReplyRendererDeps {
  readonly api: Api
  readonly sender: TelegramSender
  readonly pacer: EditPacer
  readonly log: Logger
}

export interface ReplyRendererOptions {
  /** Telegram shows `typing` for about 5 s; repeat before it fades. */
  readonly typingIntervalMs?: number
  /** The user's message the reply answers (groups). */
  readonly replyTo?: number | undefined
  /** The Regenerate button shown under a reply that a restart cut off. */
  readonly regenerate?: InlineKeyboard | undefined
  /** The inbox job of the update answered: told when the reply began, or that it never did. */
  readonly job?: Pick<UpdateJob, 'replyStarted' | 'giveBack'> | undefined
}

/**
 * Renders one streamed persona reply in a chat: a placeholder with queue/loading status and
 * the `typing` action while waiting, paced formatted edits while text arrives (open constructs
 * closed for display; continuing in new messages past 4,096 visible characters), then the final
 * text chunk by chunk.
 */
export class ReplyRenderer {
  readonly #deps: ReplyRendererDeps
  readonly #target: ChatTarget
  readonly #typingIntervalMs: number
  readonly #replyTo: number | undefined
  readonly #regenerate: InlineKeyboard | undefined
  #cut = false
  readonly #job: ReplyRendererOptions['job']
  #started = false
  /** Cancelled by a drain before it began: answered after the restart instead. */
  #givenBack = false
  readonly #editors: MessageEditor[] = []
  #typing: ReturnType<typeof setInterval> | undefined
  #typingInFlight = false
  #text = ''

  constructor(deps: ReplyRendererDeps, target: ChatTarget, options: ReplyRendererOptions = {}) {
    this.#deps = deps
    this.#target = target
    this.#typingIntervalMs = options.typingIntervalMs ?? 4_000
    this.#replyTo = options.replyTo
    this.#regenerate = options.regenerate
    this.#job = options.job
  }

  /**
   * Consumes the stream to its end; `onFirstEvent` fires once the core has answered at all
   * (accepted or refused), which is when the next update of the chat may start. Never rejects.
   */
  async run(events: AsyncIterable<ReplyEvent>, onFirstEvent: () => void = () => {}): Promise<void> {
    let final: string | undefined
    try {
      for await (const event of events) {
        onFirstEvent()
        const end = await this.#handle(event)
        final ??= end
      }
    } catch (err) {
      this.#deps.log.error({ err, chatId: this.#target.chatId }, 'telegram reply stream failed')
      final = this.#withError(userMessageFor({ code: 'INTERNAL', params: {} }))
    } finally {
      onFirstEvent()
      this.#stopTyping()
    }
    try {
      await this.#finish(final ?? this.#text)
    } catch (err) {
      this.#deps.log.error(
        { err, chatId: this.#target.chatId },
        'telegram reply could not be delivered',
      )
    }
  }

  /** Returns the final text once the stream is over. */
  async #handle(event: ReplyEvent): Promise<string | undefined> {
    switch (event.type) {
      case 'accepted':
        this.#startTyping()
        await this.#status(`${event.persona.name} is typing…`)
        return undefined
      case 'queued':
        await this.#status(
          `⏳ In the queue: you are #${event.position}. I'll answer as soon as it's your turn.`,
        )
        return undefined
      case 'loading':
        await this.#status('⏳ Loading the model…')
        return undefined
      case 'started':
        return undefined
      case 'delta':
        this.#text += event.text
        await this.#show(streamingChunks(this.#text))
        this.#markStarted()
        return undefined
      case 'done':
        return event.text.trim().length > 0 ? event.text : 'The model returned an empty answer.'
      case 'error':
        if (event.partialText !== undefined) this.#text = event.partialText
        this.#cut = Boolean(event.error.params.restarting) && !event.error.params.notStarted
        if (event.error.params.restarting && event.error.params.notStarted && this.#job) {
          this.#givenBack = this.#job.giveBack()
        }
        return this.#withError(userMessageFor(event.error))
    }
  }

  #withError(message: string): string {
    return this.#text.trim().length > 0 ? `${this.#text}\n\n⚠️ ${message}` : message
  }

  async #status(text: string): Promise<void> {
    if (this.#text.length > 0) return
    const first = this.#editors[0]
    if (first) first.set(text, 'status')
    else await this.#open(text)
  }

  async #show(chunks: string[]): Promise<void> {
    for (const [i, chunk] of chunks.entries()) {
      const editor = this.#editors[i]
      if (editor) editor.set(chunk)
      else await this.#open(chunk)
    }
  }

  async #open(text: string): Promise<void> {
    const id = await this.#deps.sender.sendDraft(this.#target, text, this.#replyTo)
    this.#editors.push(new MessageEditor(this.#deps, this.#target, id, text))
  }

  #markStarted(): void {
    const first = this.#editors[0]
    if (this.#started || !first) return
    this.#started = true
    this.#job?.replyStarted(this.#target.chatId, first.messageId)
  }

  async #finish(text: string): Promise<void> {
    if (this.#givenBack) {
      // The update is answered after the restart: the waiting notice goes away meanwhile.
      for (const editor of this.#editors) {
        await editor.idle()
        await this.#deps.sender.deleteMessage(this.#target, editor.messageId)
      }
      return
    }
    const chunks = splitForTelegram(text)
    for (const [i, chunk] of chunks.entries()) {
      const keyboard = this.#cut && i === chunks.length - 1 ? this.#regenerate : undefined
      const editor = this.#editors[i]
      if (editor) await editor.finish(chunk, keyboard)
      else await this.#deps.sender.finishChunk(this.#target, undefined, chunk, keyboard)
    }
    for (const extra of this.#editors.slice(chunks.length)) {
      await extra.idle()
      await this.#deps.sender.deleteMessage(this.#target, extra.messageId)
    }
  }

  #startTyping(): void {
    if (this.#typing) return
    const send = () => {
      if (this.#typingInFlight) return
      this.#typingInFlight = true
      this.#deps.api
        .sendChatAction(this.#target.chatId, 'typing', {
          ...(this.#target.threadId === undefined
            ? {}
            : { message_thread_id: this.#target.threadId }),
        })
        .catch((err: unknown) => this.#deps.log.debug({ err }, 'telegram typing action failed'))
        .finally(() => {
          this.#typingInFlight = false
        })
    }
    send()
    this.#typing = setInterval(send, this.#typingIntervalMs)
  }

  #stopTyping(): void {
    if (this.#typing) clearInterval(this.#typing)
    this.#typing = undefined
  }
}

/**
 * The messages of a reply still streaming: finished chunks as they will stay, and the last
 * one with whatever is open (`**`, a code fence...) closed for display, so every edit parses.
 */
export function streamingChunks(text: string): string[] {
  return splitForTelegram(closeOpenMarkdown(text))
}
