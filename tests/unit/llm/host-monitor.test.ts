import { describe, expect, it } from 'vitest'
import { BoundedCache } from '../../../src/llm/bounded-cache.js'
import { CircuitBreaker } from '../../../src/llm/circuit-breaker.js'
import { ConcurrencyController } from '../../../src/llm/concurrency-controller.js'
import { OllamaConnectionError } from '../../../src/llm/errors.js'
import { HostMonitor, probeGapMs } from '../../../src/llm/host-monitor.js'
import { HostQueue } from '../../../src/llm/host-queue.js'
import { LlmHost } from '../../../src/llm/llm-host.js'
import type { LlmMetrics } from '../../../src/llm/llm-metrics.js'
import type { OllamaClient } from '../../../src/llm/ollama-client.js'
import { silentLogger } from '../../helpers/logger.js'

function monitoredHost(clock: { now: number }, up: { value: boolean }) {
  const probes: number[] = []
  const client = {
    name: 'http://gpu:11434',
    async version() {
      probes.push(clock.now)
      if (!up.value) throw new OllamaConnectionError('http://gpu:11434', '')
      return '0.12.0'
    },
  } as unknown as OllamaClient
  const now = () => clock.now
  const breaker = new CircuitBreaker({ now }, { failureThreshold: 1, openMs: 3_600_000 })
  const host = new LlmHost({
    client,
    breaker,
    queue: new HostQueue({ onDepth: () => {} }, { concurrency: 1 }),
    concurrency: new ConcurrencyController({ now }, { mode: 1, max: 8 }),
    cache: new BoundedCache({ maxKeys: 10, ttlSeconds: 30 }),
    log: silentLogger(),
    now,
  })
  const metrics = { hostUp: () => {} } as unknown as LlmMetrics
  const monitor = new HostMonitor(
    { hosts: [host], log: silentLogger(), metrics, now },
    { intervalMs: 2_000, unreachableAlertMs: 3_600_000 },
  )
  return { host, breaker, monitor, probes }
}

describe('HostMonitor background probing', () => {
  it('probes a down host every 2 s and closes its circuit when it answers', async () => {
    const clock = { now: 0 }
    const up = { value: false }
    const { breaker, monitor, probes } = monitoredHost(clock, up)
    breaker.recordFailure()
    expect(breaker.state).toBe('open')
    for (let t = 0; t <= 10_000; t += 2_000) {
      clock.now = t
      await monitor.check()
    }
    expect(probes).toEqual([0, 2_000, 4_000, 6_000, 8_000, 10_000])
    up.value = true
    clock.now = 12_000
    await monitor.check()
    expect(breaker.state).toBe('closed')
    clock.now = 14_000
    await monitor.check()
    // A host that answers is not probed any more.
    expect(probes).toHaveLength(7)
  })

  it('backs off only for hosts that stay down for minutes', async () => {
    const clock = { now: 0 }
    const { breaker, monitor, probes } = monitoredHost(clock, { value: false })
    breaker.recordFailure()
    for (let t = 0; t <= 10 * 60_000; t += 2_000) {
      clock.now = t
      await monitor.check()
    }
    const gaps = probes.slice(1).map((t, i) => t - (probes[i] ?? 0))
    const firstTwoMinutes = gaps.filter((_, i) => (probes[i + 1] ?? 0) < 120_000)
    expect(new Set(firstTwoMinutes)).toEqual(new Set([2_000]))
    expect(Math.max(...gaps)).toBe(30_000)
    expect(gaps).toEqual([...gaps].sort((x, y) => x - y))
  })

  it('computes the probe gap from how long the host has been down', () => {
    expect(probeGapMs(0, 2_000)).toBe(2_000)
    expect(probeGapMs(119_999, 2_000)).toBe(2_000)
    expect(probeGapMs(120_000, 2_000)).toBe(4_000)
    expect(probeGapMs(180_000, 2_000)).toBe(8_000)
    expect(probeGapMs(60 * 60_000, 2_000)).toBe(30_000)
  })
})
