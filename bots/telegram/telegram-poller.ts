import { type Api, GrammyError, HttpError } from 'grammy'
import type { Update } from 'grammy/types'
import type { Inbox } from '../../src/coordination/inbox.js'
import type { Membership } from '../../src/coordination/membership.js'
import type { CursorStore } from '../../src/coordination/ports.js'
import type { Logger } from '../../src/core/ports/logger.js'
import { describeApiFailure } from './polling-failures.js'
import { answeredAtOnce, inboxEntryOf } from './telegram-inbox.js'

/** The lease that makes one replica the Telegram poller. */
export const POLLER_LEASE = 'telegram:poller'
/** The stored `getUpdates` offset the next poller continues from. */
export const OFFSET_CURSOR = 'telegram:offset'

export interface TelegramPollerDeps {
  readonly api: Api
  readonly membership: Membership
  readonly inbox: Inbox
  readonly cursors: CursorStore
  readonly log: Logger
  /** Wakes the dispatchers after updates were recorded. */
  readonly recorded: () => Promise<void>
  /** Handles an update at once, without the inbox (checkout questions: see `answeredAtOnce`). */
  readonly direct: (update: Update) => void
  readonly token: string
}

export interface TelegramPollerOptions {
  readonly allowedUpdates: readonly string[]
  /** Long-poll timeout; short, so a lost lease is noticed quickly. */
  readonly pollSeconds?: number
}

export type PollerState = 'polling' | 'conflict' | 'standby' | 'stopped' | 'refused'

/**
 * Long polling by exactly one replica: the holder of the `telegram:poller` lease calls
 * `getUpdates` from the stored offset, records the updates in the inbox and only then moves the
 * offset on, which is what confirms them to Telegram. Another replica takes the lease over when
 * the holder stops or dies, and continues from the stored offset.
 */
export class TelegramPoller {
  readonly #deps: TelegramPollerDeps
  readonly #options: TelegramPollerOptions
  #loop: Promise<void> | undefined
  #abort: AbortController | undefined
  #stopped = true
  #state: PollerState = 'stopped'
  #detail: string | undefined
  #offTick: (() => void) | undefined
  #offLost: (() => void) | undefined

  constructor(deps: TelegramPollerDeps, options: TelegramPollerOptions) {
    this.#deps = deps
    this.#options = options
  }

  get state(): PollerState {
    return this.#state
  }

  /** Why polling is refused (a revoked token), for `/health`. */
  get detail(): string | undefined {
    return this.#detail
  }

  /** Tries for the lease now and on every heartbeat. */
  async start(): Promise<void> {
    if (!this.#stopped) return
    this.#stopped = false
    this.#state = 'standby'
    const { membership } = this.#deps
    this.#offTick = membership.onTick(() => this.#tryToPoll())
    this.#offLost = membership.onLost((name) => {
      if (name !== POLLER_LEASE) return
      this.#deps.log.warn('telegram poller lease lost; another replica polls now')
      this.#abort?.abort()
    })
    await this.#tryToPoll()
  }

  /** Stops polling and gives the lease up, so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#offTick?.()
    this.#offLost?.()
    this.#abort?.abort()
    await this.#loop
    await this.#deps.membership.release(POLLER_LEASE).catch((err: unknown) => {
      this.#deps.log.warn({ err }, 'telegram poller: releasing the lease failed')
    })
    if (this.#state !== 'refused') this.#state = 'stopped'
  }

  async #tryToPoll(): Promise<void> {
    if (this.#stopped || this.#loop || this.#state === 'refused') return
    const grant = await this.#deps.membership.tryAcquire(POLLER_LEASE)
    if (!grant || this.#stopped) return
    this.#deps.log.info(
      { generation: grant.generation },
      'telegram long polling: this replica polls',
    )
    this.#state = 'polling'
    const abort = new AbortController()
    this.#abort = abort
    this.#loop = this.#poll(abort.signal).finally(() => {
      this.#loop = undefined
      if (this.#state === 'polling' || this.#state === 'conflict') {
        this.#state = this.#stopped ? 'stopped' : 'standby'
      }
    })
  }

  async #poll(signal: AbortSignal): Promise<void> {
    const { api, cursors, inbox, log, membership } = this.#deps
    let failures = 0
    while (!signal.aborted && membership.holds(POLLER_LEASE)) {
      try {
        const offset = (await cursors.get(OFFSET_CURSOR)) ?? 0
        const updates: Update[] = await api.getUpdates(
          {
            offset,
            timeout: this.#options.pollSeconds ?? 2,
            allowed_updates: [...this.#options.allowedUpdates] as never,
          },
          signal as Parameters<Api['getUpdates']>[1],
        )
        if (updates.length > 0) {
          for (const update of updates.filter(answeredAtOnce)) this.#deps.direct(update)
          // Recorded first; the offset that confirms them to Telegram moves on only after.
          await inbox.record(updates.filter((u) => !answeredAtOnce(u)).map(inboxEntryOf))
          const next = Math.max(...updates.map((u) => u.update_id)) + 1
          await cursors.advance(OFFSET_CURSOR, next)
          await this.#deps.recorded()
        }
        if (this.#state === 'conflict') log.info('telegram long polling resumed')
        this.#state = 'polling'
        failures = 0
      } catch (err) {
        if (signal.aborted) return
        if (err instanceof GrammyError && err.error_code === 401) {
          this.#state = 'refused'
          this.#detail = 'Telegram refused the token (401): polling stopped'
          log.error(
            { err: describeApiFailure(err, this.#deps.token) },
            'telegram long polling stopped; no updates until restart',
          )
          await membership.release(POLLER_LEASE)
          return
        }
        if (err instanceof GrammyError && err.error_code === 409 && this.#state !== 'conflict') {
          // Briefly normal while a stopped poller's last request ends; lasting, it is a
          // process outside this replica set polling with the same token, or a webhook.
          this.#state = 'conflict'
          log.error(
            { err: describeApiFailure(err, this.#deps.token) },
            'telegram long polling refused (409): another process polls with this token or a webhook is set; retrying',
          )
        }
        failures++
        // getUpdates failures are logged by the polling transformer; database ones here.
        if (!(err instanceof GrammyError || err instanceof HttpError)) {
          log.warn({ err }, 'telegram poller: a round failed')
        }
        await pause(Math.min(5_000, 250 * 2 ** Math.min(failures, 5)), signal)
      }
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
