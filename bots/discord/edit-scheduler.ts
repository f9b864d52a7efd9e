export interface EditSchedulerOptions {
  /** Minimum time between two edits in one channel, shared by every stream there. */
  readonly intervalMs: number
  readonly now?: () => number
}

interface PendingEdit {
  run: () => Promise<void>
  /** Final edits (the complete reply) go before intermediate ones. */
  final: boolean
  readonly waiters: { resolve: () => void; reject: (err: unknown) => void }[]
}

interface ChannelState {
  /** Streams with an edit waiting, in the order they first asked (round robin). */
  readonly pending: Map<string, PendingEdit>
  lastStart: number
  lastEnd: number
  timer: NodeJS.Timeout | null
  running: boolean
}

/**
 * Spaces message edits per channel: at most one edit every `intervalMs` in a channel, whichever
 * stream it belongs to. A stream that submits again before its edit ran replaces it, so only the
 * latest text is sent and intermediate states are skipped; nothing submitted is lost.
 */
export class EditScheduler {
  readonly #intervalMs: number
  readonly #now: () => number
  readonly #channels = new Map<string, ChannelState>()

  constructor(options: EditSchedulerOptions) {
    this.#intervalMs = options.intervalMs
    this.#now = options.now ?? Date.now
  }

  /**
   * Queues `edit` for `stream` in `channel`. Resolves once this edit, or a later one of the same
   * stream that replaced it, has run; rejects with the edit's error. `final` edits (a reply's
   * complete text) run before intermediate ones waiting in the same channel.
   */
  submit(
    channel: string,
    stream: string,
    edit: () => Promise<void>,
    options: { final?: boolean } = {},
  ): Promise<void> {
    const state = this.#state(channel)
    const final = options.final ?? false
    return new Promise<void>((resolve, reject) => {
      const existing = state.pending.get(stream)
      if (existing) {
        existing.run = edit
        existing.final ||= final
        existing.waiters.push({ resolve, reject })
      } else {
        state.pending.set(stream, { run: edit, final, waiters: [{ resolve, reject }] })
      }
      this.#pump(channel, state)
    })
  }

  /** Records a send that happened outside the scheduler, so the next edit keeps its distance. */
  noteSend(channel: string): void {
    const state = this.#state(channel)
    const now = this.#now()
    state.lastStart = Math.max(state.lastStart, now)
    state.lastEnd = Math.max(state.lastEnd, now)
  }

  /** Cancels timers; pending edits are rejected. */
  close(): void {
    for (const state of this.#channels.values()) {
      if (state.timer) clearTimeout(state.timer)
      for (const edit of state.pending.values()) {
        for (const w of edit.waiters) w.reject(new Error('edit scheduler closed'))
      }
      state.pending.clear()
    }
    this.#channels.clear()
  }

  #state(channel: string): ChannelState {
    let state = this.#channels.get(channel)
    if (!state) {
      state = {
        pending: new Map(),
        lastStart: Number.NEGATIVE_INFINITY,
        lastEnd: Number.NEGATIVE_INFINITY,
        timer: null,
        running: false,
      }
      this.#channels.set(channel, state)
    }
    return state
  }

  #pump(channel: string, state: ChannelState): void {
    if (state.running || state.timer || state.pending.size === 0) return
    // Keep the distance from the previous edit's start and, if it was slow, from its end too.
    const due = Math.max(state.lastStart + this.#intervalMs, state.lastEnd + this.#intervalMs / 2)
    const wait = Math.max(0, due - this.#now())
    state.timer = setTimeout(() => {
      state.timer = null
      void this.#runNext(channel, state)
    }, wait)
  }

  async #runNext(channel: string, state: ChannelState): Promise<void> {
    const entries = [...state.pending.entries()]
    const next = entries.find(([, e]) => e.final) ?? entries[0]
    if (!next) return
    const [stream, edit] = next
    state.pending.delete(stream)
    state.running = true
    state.lastStart = this.#now()
    try {
      await edit.run()
      for (const w of edit.waiters) w.resolve()
    } catch (err) {
      for (const w of edit.waiters) w.reject(err)
    } finally {
      state.running = false
      state.lastEnd = this.#now()
      if (state.pending.size === 0 && this.#channels.get(channel) === state) {
        // Forget idle channels, but only once the spacing no longer matters.
        const idle = setTimeout(() => {
          const quiet = this.#now() - state.lastEnd >= this.#intervalMs
          if (quiet && state.pending.size === 0 && !state.running && !state.timer) {
            this.#channels.delete(channel)
          }
        }, this.#intervalMs)
        idle.unref()
      }
      this.#pump(channel, state)
    }
  }
}
