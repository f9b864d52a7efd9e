import { WriteBudget, type WriteKind } from '../shared/write-budget.js'

export interface EditSchedulerOptions {
  /** Message writes Discord allows per channel per window (5). */
  readonly writesPerWindow?: number | undefined
  /** Discord's window for message writes in one channel (5 s). */
  readonly windowMs?: number | undefined
  /** Added to the window for network jitter (300 ms). */
  readonly marginMs?: number | undefined
  readonly now?: (() => number) | undefined
}

interface PendingEdit {
  run: () => Promise<void>
  kind: WriteKind
  readonly waiters: { resolve: () => void; reject: (err: unknown) => void }[]
}

interface ChannelState {
  /** Streams with an edit waiting, in the order they first asked (round robin). */
  readonly pending: Map<string, PendingEdit>
  timer: NodeJS.Timeout | null
  running: boolean
}

const RANK: Record<WriteKind, number> = { final: 0, first: 1, intermediate: 2 }

/**
 * Paces message writes per channel with Discord's budget (5 writes per 5 s per channel, shared
 * by every reply there, placeholders included): a reply's first words and its final text go as
 * soon as the budget has a slot; streaming edits are spread over the window and keep a slot in
 * reserve. A stream that submits again before its edit ran replaces it, so only the latest text
 * is sent and intermediate states are skipped; nothing submitted is lost.
 */
export class EditScheduler {
  readonly #budget: WriteBudget
  readonly #channels = new Map<string, ChannelState>()

  constructor(options: EditSchedulerOptions = {}) {
    this.#budget = new WriteBudget({
      limit: options.writesPerWindow ?? 5,
      windowMs: options.windowMs ?? 5_000,
      marginMs: options.marginMs ?? 300,
      now: options.now,
    })
  }

  /**
   * Queues `edit` for `stream` in `channel`. Resolves once this edit, or a later one of the same
   * stream that replaced it, has run; rejects with the edit's error. `final` edits (a reply's
   * complete text) run before the others waiting in the same channel; `first` marks a reply's
   * first words, which skip the pacing gap.
   */
  submit(
    channel: string,
    stream: string,
    edit: () => Promise<void>,
    options: { final?: boolean; first?: boolean } = {},
  ): Promise<void> {
    const state = this.#state(channel)
    const kind: WriteKind = options.final ? 'final' : options.first ? 'first' : 'intermediate'
    return new Promise<void>((resolve, reject) => {
      const existing = state.pending.get(stream)
      if (existing) {
        existing.run = edit
        if (RANK[kind] < RANK[existing.kind]) existing.kind = kind
        existing.waiters.push({ resolve, reject })
      } else {
        state.pending.set(stream, { run: edit, kind, waiters: [{ resolve, reject }] })
      }
      this.#pump(channel, state)
    })
  }

  /** Counts a send made outside the scheduler (a placeholder) against the channel's budget. */
  noteSend(channel: string): void {
    this.#budget.record(channel)
  }

  /** Writes counted in the channel's current window. */
  used(channel: string): number {
    return this.#budget.used(channel)
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
      state = { pending: new Map(), timer: null, running: false }
      this.#channels.set(channel, state)
    }
    return state
  }

  #next(state: ChannelState): [string, PendingEdit] | undefined {
    let best: [string, PendingEdit] | undefined
    for (const entry of state.pending) {
      if (!best || RANK[entry[1].kind] < RANK[best[1].kind]) best = entry
    }
    return best
  }

  #pump(channel: string, state: ChannelState): void {
    if (state.running || state.pending.size === 0) return
    const next = this.#next(state)
    if (!next) return
    const wait = this.#budget.delayFor(channel, next[1].kind)
    if (state.timer) clearTimeout(state.timer)
    // Always through a timer, so events that arrive in the same tick land in this edit.
    state.timer = setTimeout(() => {
      state.timer = null
      void this.#runNext(channel, state)
    }, wait)
  }

  async #runNext(channel: string, state: ChannelState): Promise<void> {
    const next = this.#next(state)
    if (!next) return
    const [stream, edit] = next
    if (this.#budget.delayFor(channel, edit.kind) > 0) return this.#pump(channel, state)
    state.pending.delete(stream)
    state.running = true
    this.#budget.record(channel)
    try {
      await edit.run()
      for (const w of edit.waiters) w.resolve()
    } catch (err) {
      for (const w of edit.waiters) w.reject(err)
    } finally {
      state.running = false
      if (state.pending.size === 0 && this.#channels.get(channel) === state) {
        this.#channels.delete(channel)
      } else {
        this.#pump(channel, state)
      }
    }
  }
}
