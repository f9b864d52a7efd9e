import { afterEach, describe, expect, it, vi } from 'vitest'
import type { LlmGateway } from '../../../src/llm/create-llm-gateway.js'
import { type OllamaDouble, startOllamaDouble } from '../../doubles/ollama-double.js'
import { capturingLogger } from '../../helpers/logger.js'
import { chatRequest, collect, eventually, testGateway } from './helpers.js'

describe('LLM gateway start-up and host alerts', () => {
  const doubles: OllamaDouble[] = []
  let gateway: LlmGateway | undefined
  const double = async (knobs: Parameters<typeof startOllamaDouble>[0] = {}) => {
    const d = await startOllamaDouble(knobs)
    doubles.push(d)
    return d
  }

  afterEach(async () => {
    vi.useRealTimers()
    await gateway?.close()
    gateway = undefined
    await Promise.all(doubles.splice(0).map((d) => d.close()))
  })

  it('logs each missing model with the exact ollama pull command', async () => {
    const a = await double({ models: ['llama3.2'] })
    const { log, lines } = capturingLogger()
    gateway = testGateway({ hosts: [a.url], fallbackModel: 'qwen2.5:0.5b' }, { log }).gateway
    await gateway.start(['mistral:7b', 'llama3.2:latest'])
    const missing = lines.filter((l) => l.command !== undefined)
    expect(missing.map((l) => l.model).sort()).toEqual(['mistral:7b', 'qwen2.5:0.5b'])
    const mistral = missing.find((l) => l.model === 'mistral:7b')
    expect(mistral).toMatchObject({
      host: a.url,
      command: `OLLAMA_HOST=${a.url} ollama pull mistral:7b`,
    })
    expect(mistral?.msg).toContain(`OLLAMA_HOST=${a.url} ollama pull mistral:7b`)
    expect(a.requestsTo('/api/pull')).toHaveLength(0)
  })

  it('pulls missing models when auto-pull is on, logging progress', async () => {
    const a = await double({ models: ['llama3.2'] })
    const { log, lines } = capturingLogger()
    gateway = testGateway({ hosts: [a.url], autoPull: true }, { log }).gateway
    await gateway.start(['mistral'])
    expect(a.requestsTo('/api/pull')).toHaveLength(1)
    const progress = lines.filter((l) => l.msg === 'llm pull progress')
    expect(progress.map((l) => l.status)).toContain('success')
    expect(progress.some((l) => l.percent === 100)).toBe(true)
    expect(lines.some((l) => l.msg === `pulled mistral on ${a.url}`)).toBe(true)
    const { error } = await collect(gateway.chat(chatRequest({ model: 'mistral' })))
    expect(error).toBeUndefined()
  })

  it('preloads the default model with an empty request and keep_alive', async () => {
    const a = await double({ models: ['llama3.2'], loaded: [] })
    gateway = testGateway({ hosts: [a.url] }).gateway
    await gateway.start([])
    await eventually(() => a.knobs.loaded.includes('llama3.2'))
    const preload = a.requestsTo('/api/generate')[0]?.body
    expect(preload).toMatchObject({ model: 'llama3.2', prompt: '', keep_alive: '30m' })
  })

  it('never throws when a host is unreachable at start, and says so', async () => {
    const a = await double()
    const b = await double()
    await b.stop()
    const { log, lines } = capturingLogger()
    gateway = testGateway({ hosts: [a.url, b.url] }, { log }).gateway
    await expect(gateway.start([])).resolves.toBeUndefined()
    expect(lines.find((l) => l.msg === 'llm host unreachable at start')).toMatchObject({
      host: b.url,
    })
  })

  it('calls onHostUnreachable once when a host stays down past the alert time', async () => {
    const a = await double()
    await a.stop()
    let now = 5_000_000
    const alerts: [string, number][] = []
    const { log, lines } = capturingLogger()
    gateway = testGateway(
      {
        hosts: [a.url],
        breakerFailureThreshold: 1,
        breakerOpenMs: 1000,
        unreachableAlertMs: 60_000,
        healthCheckIntervalMs: 10,
        onHostUnreachable: (host, downForMs) => alerts.push([host, downForMs]),
      },
      { log, now: () => now },
    ).gateway
    await collect(gateway.chat(chatRequest()))
    now += 61_000
    await eventually(() => alerts.length === 1)
    // Another minute down: the next probe round fails again and must not alert a second time.
    // A failed probe is logged before the round decides about alerts, so once that line is
    // there (seen from a later timer turn), the round's decision has been made.
    const failedProbes = () => lines.filter((l) => l.msg === 'llm host probe failed').length
    const before = failedProbes()
    now += 61_000
    await eventually(() => failedProbes() > before, 5_000, 'a probe round after the second minute')
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toEqual([a.url, expect.any(Number)])
    expect(alerts[0]?.[1]).toBeGreaterThanOrEqual(60_000)
  })

  it('does not alert for a host that failed briefly and answers again', async () => {
    const a = await double()
    await a.stop()
    let now = 5_000_000
    const alerts: string[] = []
    const { log, lines } = capturingLogger()
    // The monitor's rounds run on a fake interval the test turns; everything else is real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    gateway = testGateway(
      {
        hosts: [a.url],
        breakerFailureThreshold: 10,
        unreachableAlertMs: 60_000,
        healthCheckIntervalMs: 10,
        onHostUnreachable: (host) => alerts.push(host),
      },
      { log, now: () => now },
    ).gateway
    await collect(gateway.chat(chatRequest()))
    await a.start()
    // Probes are at most one per second per host (on the gateway's clock).
    now += 1_000
    await vi.advanceTimersByTimeAsync(10)
    await eventually(() => lines.some((l) => l.msg === 'llm host reachable again'))
    // Two minutes later on the gateway's clock, several rounds: none may alert. With the host
    // back, a round does no I/O, so the rounds are over when the timers have been advanced.
    now += 120_000
    await vi.advanceTimersByTimeAsync(50)
    expect(alerts).toEqual([])
    expect(lines.filter((l) => l.msg === 'llm host unreachable')).toEqual([])
  })

  it('brings a host back through the health probe without user traffic', async () => {
    const a = await double()
    await a.stop()
    let now = 1_000
    const { log, lines } = capturingLogger()
    gateway = testGateway(
      {
        hosts: [a.url],
        breakerFailureThreshold: 1,
        breakerOpenMs: 1000,
        healthCheckIntervalMs: 10,
      },
      { log, now: () => now },
    ).gateway
    await collect(gateway.chat(chatRequest()))
    expect((await gateway.health())[0]?.status).toBe('down')
    await a.start()
    now += 1000
    await eventually(
      () => lines.some((l) => l.msg === 'llm host reachable again'),
      10_000,
      'the probe to find the host again',
    )
    expect((await gateway.health())[0]?.status).toBe('up')
    expect(a.requestsTo('/api/chat')).toHaveLength(0)
    const { error } = await collect(gateway.chat(chatRequest()))
    expect(error).toBeUndefined()
  })
})
