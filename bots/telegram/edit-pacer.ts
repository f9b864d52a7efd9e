export interface EditPacerOptions {
  /** Minimum gap between edits in one private chat. */
  readonly privateIntervalMs?: number
  /** Edits allowed per minute in one group. */
  readonly groupEditsPerMinute?: number
}

/**
 * Spaces out message edits per chat: about one per second in private chats and at most
 * `groupEditsPerMinute` in a group, shared by every message the bot is editing there. Slots are
 * handed out first come, first served.
 */
export class EditPacer {
  readonly #privateIntervalMs: number
  readonly #groupIntervalMs: number
  readonly #nextAt = new Map<string, number>()

  constructor(options: EditPacerOptions = {}) {
    this.#privateIntervalMs = options.privateIntervalMs ?? 1_000
    this.#groupIntervalMs = 60_000 / Math.max(1, options.groupEditsPerMinute ?? 20)
  }

  /** Waits for this chat's next edit slot and takes it. */
  async acquire(chatId: number, isGroup: boolean): Promise<void> {
    const now = Date.now()
    const key = String(chatId)
    const at = Math.max(now, this.#nextAt.get(key) ?? 0)
    this.#nextAt.set(key, at + (isGroup ? this.#groupIntervalMs : this.#privateIntervalMs))
    if (this.#nextAt.size > 1_000) this.#prune(now)
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now))
  }

  #prune(now: number): void {
    for (const [key, at] of this.#nextAt) if (at < now) this.#nextAt.delete(key)
  }
}
