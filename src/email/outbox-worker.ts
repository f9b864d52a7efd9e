import { randomUUID } from 'node:crypto'
import type { Clock } from '../core/ports/clock.js'
import type { Logger } from '../core/ports/logger.js'
import type { EmailMetrics } from './email-metrics.js'
import type { EmailOutboxStore, OutboxMessage } from './email-stores.js'
import type { MailHealth } from './mail-health.js'
import { classifySendError, type MailTransport } from './mail-transport.js'

export interface OutboxWorkerDeps {
  readonly outbox: EmailOutboxStore
  readonly transport: MailTransport
  readonly health: MailHealth
  readonly log: Logger
  readonly metrics?: EmailMetrics | undefined
  readonly now?: Clock | undefined
}

export interface OutboxWorkerOptions {
  /** How often the outbox is polled when nothing wakes the worker. */
  readonly intervalMs?: number | undefined
  readonly batchSize?: number | undefined
  /** First retry delay; doubles per attempt up to `retryMaxMs`. */
  readonly retryBaseMs?: number | undefined
  readonly retryMaxMs?: number | undefined
  /** While SMTP is down, how often one connection check is made instead of sending. */
  readonly probeIntervalMs?: number | undefined
  /**
   * How long a claimed batch stays this worker's (60 s): when it dies mid-batch, another
   * replica sends the rest after this time.
   */
  readonly claimLeaseMs?: number | undefined
  /** Domain of the Message-IDs we set (the sender's domain). */
  readonly messageIdDomain: string
}

export interface OutboxRunResult {
  sent: number
  retried: number
  failed: number
}

/**
 * Sends what the outbox holds. One pass runs at a time (`runOnce` calls queue behind each
 * other), each message is marked sent right after the SMTP server accepted it, transient
 * failures are retried with exponential backoff and 5xx rejections are marked failed.
 * While SMTP is down the worker only probes the connection; once it is back, every pending
 * message goes out, including those waiting for a later retry.
 */
export class OutboxWorker {
  readonly #outbox: EmailOutboxStore
  readonly #transport: MailTransport
  readonly #health: MailHealth
  readonly #log: Logger
  readonly #metrics: EmailMetrics | undefined
  readonly #now: Clock
  readonly #intervalMs: number
  readonly #batchSize: number
  readonly #retryBaseMs: number
  readonly #retryMaxMs: number
  readonly #probeIntervalMs: number
  readonly #messageIdDomain: string
  readonly #claimLeaseMs: number
  /** This worker as a claimer of outbox rows (one per process). */
  readonly #claimer = randomUUID()
  /** Sent, but recording it failed: never send these again, only retry the bookkeeping. */
  readonly #sentUnrecorded = new Map<number, number>()
  #chain: Promise<unknown> = Promise.resolve()
  #timer: NodeJS.Timeout | undefined
  #started = false
  #stopping = false
  #inPass = false
  #again = false
  #lastProbe = Number.NEGATIVE_INFINITY
  #flushAll = false

  constructor(deps: OutboxWorkerDeps, options: OutboxWorkerOptions) {
    this.#outbox = deps.outbox
    this.#transport = deps.transport
    this.#health = deps.health
    this.#log = deps.log
    this.#metrics = deps.metrics
    this.#now = deps.now ?? Date.now
    this.#intervalMs = options.intervalMs ?? 5_000
    this.#batchSize = options.batchSize ?? 20
    this.#retryBaseMs = options.retryBaseMs ?? 5_000
    this.#retryMaxMs = options.retryMaxMs ?? 3_600_000
    this.#probeIntervalMs = options.probeIntervalMs ?? 30_000
    this.#messageIdDomain = options.messageIdDomain
    this.#claimLeaseMs = options.claimLeaseMs ?? 60_000
  }

  /** Starts polling; the first pass runs at once. */
  start(): void {
    if (this.#started || this.#stopping) return
    this.#started = true
    this.#schedule(0)
  }

  /** Runs a pass soon (after something was enqueued) instead of waiting for the next poll. */
  wake(): void {
    if (!this.#started || this.#stopping) return
    if (this.#inPass) {
      this.#again = true
      return
    }
    this.#schedule(0)
  }

  /** Stops polling; resolves after the in-flight send finished and was recorded. */
  async stop(): Promise<void> {
    this.#stopping = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#chain
  }

  /** Delay before the next try of a message that has failed `attempts` times before. */
  backoffMs(attempts: number): number {
    return Math.min(this.#retryBaseMs * 2 ** Math.min(attempts, 30), this.#retryMaxMs)
  }

  /** One pass over the due messages. Never throws; passes never overlap. */
  runOnce(): Promise<OutboxRunResult> {
    const pass = this.#chain.then(() => this.#pass())
    this.#chain = pass
    return pass
  }

  #schedule(delayMs: number): void {
    if (this.#stopping) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.#loop(), delayMs)
  }

  async #loop(): Promise<void> {
    this.#timer = undefined
    this.#inPass = true
    this.#again = false
    const result = await this.runOnce()
    this.#inPass = false
    const full = result.sent + result.retried + result.failed >= this.#batchSize
    this.#schedule(this.#again || full ? 0 : this.#intervalMs)
  }

  async #pass(): Promise<OutboxRunResult> {
    const result: OutboxRunResult = { sent: 0, retried: 0, failed: 0 }
    try {
      const now = this.#now()
      await this.#recordUnrecorded()
      if (!this.#health.up) {
        if (now - this.#lastProbe < this.#probeIntervalMs) return result
        this.#lastProbe = now
        try {
          await this.#transport.verify()
        } catch (err) {
          this.#health.markDown(classifySendError(err).reason)
          return result
        }
        this.#log.info('SMTP reachable again; sending the outbox')
        this.#health.markUp()
        this.#flushAll = true
      }
      // After an outage, messages waiting for a later retry go out now too.
      const horizon = this.#flushAll ? now + this.#retryMaxMs : now
      this.#flushAll = false
      const batch = await this.#outbox.claim(
        horizon,
        this.#batchSize,
        this.#claimer,
        this.#claimLeaseMs,
      )
      for (const message of batch) {
        if (this.#stopping) break
        if (this.#sentUnrecorded.has(message.id)) continue
        // A slow batch may outlive its claim: never send what another replica took over.
        if (!(await this.#outbox.extendClaim(message.id, this.#claimer, this.#claimLeaseMs))) {
          continue
        }
        const outcome = await this.#sendOne(message)
        result[outcome]++
        if (outcome === 'retried' && !this.#health.up) break
      }
    } catch (err) {
      this.#log.error({ err }, 'outbox pass failed; will retry')
    }
    return result
  }

  async #sendOne(message: OutboxMessage): Promise<keyof OutboxRunResult> {
    const fields = { outboxId: message.id, kind: message.kind, attempts: message.attempts }
    try {
      await this.#transport.send({
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: `<jlm-${message.id}-${message.createdAt}@${this.#messageIdDomain}>`,
      })
    } catch (err) {
      const failure = classifySendError(err)
      if (failure.kind === 'permanent') {
        await this.#outbox.markFailed(message.id, failure.detail)
        this.#metrics?.failed.inc({ kind: message.kind })
        this.#log.error({ ...fields, reason: failure.reason }, 'email rejected permanently')
        this.#health.markUp()
        return 'failed'
      }
      const delay = this.backoffMs(message.attempts)
      await this.#outbox.markRetry(message.id, failure.detail, this.#now() + delay)
      this.#metrics?.retried.inc({ kind: message.kind })
      if (failure.connection) {
        this.#health.markDown(failure.reason)
        this.#log.warn(
          { ...fields, reason: failure.reason },
          'SMTP unavailable; emails wait in the outbox',
        )
      } else {
        this.#log.warn(
          { ...fields, reason: failure.reason, retryInMs: delay },
          'email deferred; will retry',
        )
      }
      return 'retried'
    }
    this.#health.markUp()
    this.#metrics?.sent.inc({ kind: message.kind })
    const sentAt = this.#now()
    this.#sentUnrecorded.set(message.id, sentAt)
    await this.#recordUnrecorded()
    this.#log.debug(fields, 'email sent')
    return 'sent'
  }

  async #recordUnrecorded(): Promise<void> {
    for (const [id, sentAt] of this.#sentUnrecorded) {
      try {
        await this.#outbox.markSent(id, sentAt)
        this.#sentUnrecorded.delete(id)
      } catch (err) {
        this.#log.error({ err, outboxId: id }, 'email sent but not yet recorded as sent; retrying')
        return
      }
    }
  }
}
