import type { Kysely } from 'kysely'
import type { Logger } from '../core/ports/logger.js'
import type { Database } from './database.js'
import { purgeExpired, type RetentionPolicy, type RetentionResult } from './sql-retention.js'

export interface RetentionSweeperDeps {
  readonly db: Kysely<Database>
  readonly log: Logger
  /** The clock the cut-offs are computed from (tests pass their own). */
  readonly now?: (() => number) | undefined
  /** Timer functions (tests pass fakes). */
  readonly setTimer?: ((fn: () => void, ms: number) => unknown) | undefined
  readonly clearTimer?: ((handle: unknown) => void) | undefined
}

export interface RetentionSweeperOptions extends RetentionPolicy {
  /** Pause between sweeps (default one hour); the first runs one `firstDelayMs` after start. */
  readonly intervalMs?: number | undefined
  readonly firstDelayMs?: number | undefined
}

const HOUR_MS = 3_600_000

/**
 * Runs `purgeExpired` on a schedule. A failed sweep is logged and retried at the next one;
 * sweeps never overlap, and `stop` waits for one in progress.
 */
export class RetentionSweeper {
  readonly #db: Kysely<Database>
  readonly #log: Logger
  readonly #now: () => number
  readonly #setTimer: (fn: () => void, ms: number) => unknown
  readonly #clearTimer: (handle: unknown) => void
  readonly #policy: RetentionPolicy
  readonly #intervalMs: number
  readonly #firstDelayMs: number
  #timer: unknown
  #running: Promise<unknown> = Promise.resolve()
  #stopped = false

  constructor(deps: RetentionSweeperDeps, options: RetentionSweeperOptions) {
    this.#db = deps.db
    this.#log = deps.log
    this.#now = deps.now ?? Date.now
    this.#setTimer =
      deps.setTimer ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms)
        t.unref()
        return t
      })
    this.#clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout))
    this.#policy = options
    this.#intervalMs = options.intervalMs ?? HOUR_MS
    this.#firstDelayMs = options.firstDelayMs ?? 60_000
  }

  start(): void {
    this.#schedule(this.#firstDelayMs)
  }

  /** One sweep now; resolves with what it removed (undefined when it failed). */
  async sweep(): Promise<RetentionResult | undefined> {
    const run = this.#running.then(async () => {
      try {
        const result = await purgeExpired(this.#db, this.#now(), this.#policy)
        if (Object.values(result).some((n) => n > 0)) {
          this.#log.info({ ...result }, 'retention sweep removed expired data')
        }
        return result
      } catch (err) {
        this.#log.error({ err }, 'retention sweep failed; retrying at the next one')
        return undefined
      }
    })
    this.#running = run
    return run
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer !== undefined) this.#clearTimer(this.#timer)
    await this.#running
  }

  #schedule(ms: number): void {
    if (this.#stopped) return
    this.#timer = this.#setTimer(() => {
      void this.sweep().then(() => this.#schedule(this.#intervalMs))
    }, ms)
  }
}
