import type { Clock } from '../core/ports/clock.js'
import type { Logger } from '../core/ports/logger.js'
import { adminOllamaUnreachableEmail } from './admin-templates.js'
import type { TemplateContext } from './email-layout.js'
import type { EmailStores } from './email-stores.js'
import type { OutboxAccountEmails } from './outbox-account-emails.js'

export const OLLAMA_ALERT_AFTER_MS = 5 * 60 * 1000

export interface OllamaOutageAlertsDeps {
  readonly stores: EmailStores
  readonly emails: OutboxAccountEmails
  readonly log: Logger
  readonly now?: Clock | undefined
  readonly onEnqueued?: (() => void) | undefined
}

/**
 * Mails ADMIN_EMAIL once per outage when an Ollama host stays unreachable for longer than
 * five minutes. An outage is identified by its start (`now - downForMs`), so repeated calls
 * during the same outage, even after a restart, send one mail.
 */
export class OllamaOutageAlerts {
  readonly #stores: EmailStores
  readonly #emails: OutboxAccountEmails
  readonly #log: Logger
  readonly #now: Clock
  readonly #onEnqueued: () => void
  readonly #ctx: TemplateContext
  /** Host → start of the outage already reported. */
  readonly #reported = new Map<string, number>()

  constructor(deps: OllamaOutageAlertsDeps, options: TemplateContext) {
    this.#stores = deps.stores
    this.#emails = deps.emails
    this.#log = deps.log
    this.#now = deps.now ?? Date.now
    this.#onEnqueued = deps.onEnqueued ?? (() => {})
    this.#ctx = options
  }

  /** Never throws; failures are logged. */
  async notifyUnreachable(host: string, downForMs: number): Promise<void> {
    if (!Number.isFinite(downForMs) || downForMs < OLLAMA_ALERT_AFTER_MS) return
    const now = this.#now()
    const since = now - downForMs
    const reported = this.#reported.get(host)
    // The caller's timing jitters a little between calls of the same outage.
    if (reported !== undefined && Math.abs(reported - since) < 60_000) return
    try {
      const mail = adminOllamaUnreachableEmail(this.#ctx, { host, downForMs, since })
      const dedupeKey = `ollama-unreachable:${host}:${Math.floor(since / 60_000)}`
      const added = await this.#emails.toAdmin(
        this.#stores,
        'admin_ollama_unreachable',
        mail,
        dedupeKey,
      )
      this.#reported.set(host, since)
      if (added) {
        this.#log.warn({ host, downForMs }, 'Ollama unreachable; admin notified by email')
        this.#onEnqueued()
      }
    } catch (err) {
      this.#log.error({ err, host }, 'could not queue the Ollama outage email')
    }
  }
}
