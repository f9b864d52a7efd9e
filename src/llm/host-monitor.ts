import type { Logger } from '../core/ports/logger.js'
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
  /** How often hosts that failed lately are probed (2 s), until they stay down for minutes. */
  readonly intervalMs: number
  readonly unreachableAlertMs: number
}

/** Hosts down this long are probed less often. */
export const BACKOFF_AFTER_MS = 2 * 60_000
/** The longest gap between two probes of a host that stays down. */
export const MAX_PROBE_GAP_MS = 30_000

/**
 * Gap between background probes of a host down for `downForMs`: `baseMs` for the first two
 * minutes, then doubling every further minute up to 30 s.
 */
export function probeGapMs(downForMs: number, baseMs: number): number {
  if (downForMs < BACKOFF_AFTER_MS) return baseMs
  const minutes = Math.floor((downForMs - BACKOFF_AFTER_MS) / 60_000) + 1
  return Math.min(MAX_PROBE_GAP_MS, Math.max(baseMs, baseMs * 2 ** minutes))
}

/**
 * Probes hosts that failed lately via `/api/version` so a host comes back without user
 * traffic (every `intervalMs`, backing off for hosts down for minutes), and reports a host
 * down for `unreachableAlertMs` once per outage.
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
        const down = breaker.downSince
        if (down !== null) {
          const gap = probeGapMs(now() - down, this.#options.intervalMs)
          // A little slack so a probe due at this tick is not pushed to the next one.
          if (now() - host.lastProbeAt >= gap - this.#options.intervalMs / 4) await host.probe()
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
