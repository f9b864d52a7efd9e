import type { InlineKeyboard } from 'grammy'
import type { Logger } from '../../src/core/ports/logger.js'
import type { EditPacer } from './edit-pacer.js'
import type { ChatTarget, TelegramSender } from './telegram-sender.js'

/**
 * Keeps one message showing the latest streamed text: at most one edit in flight, paced per
 * chat, and intermediate states skipped (each edit sends the newest text).
 */
export class MessageEditor {
  readonly #sender: TelegramSender
  readonly #pacer: EditPacer
  readonly #log: Logger
  readonly #target: ChatTarget
  readonly messageId: number
  #shown: string
  #latest: string
  #running: Promise<void> | undefined
  #final = false
  #keyboard: InlineKeyboard | undefined
  #latestIsReply = false
  #replyShown = false

  constructor(
    deps: { sender: TelegramSender; pacer: EditPacer; log: Logger },
    target: ChatTarget,
    messageId: number,
    shown: string,
  ) {
    this.#sender = deps.sender
    this.#pacer = deps.pacer
    this.#log = deps.log
    this.#target = target
    this.messageId = messageId
    this.#shown = shown
    this.#latest = shown
  }

  /** Shows `text` soon; returns at once. A `status` line is not yet the reply's first words. */
  set(text: string, what: 'reply' | 'status' = 'reply'): void {
    this.#latest = text
    this.#latestIsReply = what === 'reply'
    // Only start when there is something to show: the loop then awaits before it can finish.
    if (this.#running === undefined && text !== this.#shown) this.#running = this.#loop()
  }

  /** Resolves when no edit is pending or in flight. */
  async idle(): Promise<void> {
    let running = this.#running
    while (running !== undefined) {
      await running
      if (this.#running === running) break
      running = this.#running
    }
  }

  /**
   * Replaces whatever is pending with the finished, formatted chunk (in the next edit slot)
   * and resolves once it is shown.
   */
  async finish(chunk: string, keyboard?: InlineKeyboard): Promise<void> {
    this.#keyboard = keyboard
    this.#latest = chunk
    this.#final = true
    this.#running ??= this.#loop()
    await this.idle()
  }

  async #loop(): Promise<void> {
    try {
      while (this.#latest !== this.#shown || this.#final) {
        // The first words and the finished text go as soon as the chat's budget allows.
        const first = this.#latestIsReply && !this.#replyShown
        const kind = this.#final ? 'final' : first ? 'first' : 'intermediate'
        await this.#pacer.acquire(this.#target.chatId, this.#target.isGroup, kind)
        if (this.#latestIsReply) this.#replyShown = true
        const text = this.#latest
        if (this.#final) {
          this.#final = false
          // Never throws for formatting; falls back to a new message when the edit is impossible.
          await this.#sender.finishChunk(this.#target, this.messageId, text, this.#keyboard)
          this.#shown = text
          continue
        }
        try {
          await this.#sender.editDraft(this.#target, this.messageId, text)
        } catch (err) {
          // The final edit repairs anything missed here; a streaming edit is not worth a retry.
          this.#log.debug({ err, chatId: this.#target.chatId }, 'telegram streaming edit failed')
        }
        this.#shown = text
      }
    } finally {
      this.#running = undefined
    }
  }
}
