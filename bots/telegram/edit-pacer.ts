import { WriteBudget, type WriteKind } from '../shared/write-budget.js'

export interface EditPacerOptions {
  /** Private chats: about one edit per this many ms (1000). */
  readonly privateIntervalMs?: number | undefined
  /** Edits allowed per minute in one group (20). */
  readonly groupEditsPerMinute?: number | undefined
  readonly now?: (() => number) | undefined
}

/**
 * Paces message edits per chat with Telegram's budget: about one per second in a private chat,
 * `groupEditsPerMinute` per minute in a group, shared by every message the bot edits there.
 * A reply's first edit and its final text go as soon as the budget has room; streaming edits
 * in groups are spread over the minute and keep a slot in reserve.
 */
export class EditPacer {
  readonly #private: WriteBudget
  readonly #group: WriteBudget

  constructor(options: EditPacerOptions = {}) {
    this.#private = new WriteBudget({
      limit: 1,
      windowMs: options.privateIntervalMs ?? 1_000,
      now: options.now,
    })
    this.#group = new WriteBudget({
      limit: Math.max(1, options.groupEditsPerMinute ?? 20),
      windowMs: 60_000,
      marginMs: 500,
      now: options.now,
    })
  }

  /** Waits until this chat's budget allows a write of `kind`, and counts it. */
  async acquire(chatId: number, isGroup: boolean, kind: WriteKind = 'intermediate'): Promise<void> {
    const budget = isGroup ? this.#group : this.#private
    const key = String(chatId)
    for (;;) {
      const wait = budget.delayFor(key, kind)
      if (wait <= 0) break
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
    budget.record(key)
  }
}
