import type { Logger } from '../core/ports/logger.js'
import { OllamaConnectionError } from './errors.js'
import type { LlmHost } from './llm-host.js'
import type { LlmMetrics } from './llm-metrics.js'

export interface HostMonitorDeps {
  readonly hosts: readonly LlmHost[]
  readonly log: Logger
  readonly metrics: LlmMetrics
  readonly now: () => number
  readonly onHostUnreachable?: ((host: string, downForMs: number) => void) | undefined
}

export interface HostMonitorOptions {
  readonly intervalMs: number
  readonly unreachableAlertMs: number
}

/**
 * Probes hosts that failed lately via `/api/version` (as the half-open probe when their
 * circuit is open) so a host comes back without user traffic, and reports a host down for
 * `unreachableAlertMs` once per outage.
 */
export class HostMonitor {
  readonly #deps: HostMonitorDeps
  readonly #options: HostMonitorOptions
  readonly #alerted = new Set<LlmHost>()
  #timer: NodeJS.Timeout | undefined

  constructor(deps: HostMonitorDeps, options: HostMonitorOptions) {
    this.#deps = deps
    this.#options = options
  }

  start(): void {
    if (this.#timer) return
    this.#timer = setInterval(() => void this.check(), this.#options.intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** One round of probes and alerts; never throws. */
  async check(): Promise<void> {
    const { hosts, log, metrics, now, onHostUnreachable } = this.#deps
    await Promise.all(
      hosts.map(async (host) => {
        const { breaker } = host
        // Hosts that failed lately: the half-open probe when the circuit is open, else a check.
        if (breaker.downSince !== null && (breaker.state === 'closed' || breaker.acquire())) {
          try {
            await host.client.version()
            breaker.recordSuccess()
            log.info({ host: host.name }, 'llm host reachable again')
          } catch (err) {
            if (err instanceof OllamaConnectionError) breaker.recordFailure()
            else breaker.release()
          }
        }
        metrics.hostUp(host.name, breaker.state === 'closed')
        const since = breaker.downSince
        if (since === null) {
          this.#alerted.delete(host)
          return
        }
        const downFor = now() - since
        if (downFor < this.#options.unreachableAlertMs || this.#alerted.has(host)) return
        this.#alerted.add(host)
        log.error({ host: host.name, downForMs: downFor }, 'llm host unreachable')
        try {
          onHostUnreachable?.(host.name, downFor)
        } catch (err) {
          log.error({ host: host.name, err }, 'llm unreachable-host alert failed')
        }
      }),
    )
  }
}
