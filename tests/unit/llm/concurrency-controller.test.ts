import { describe, expect, it } from 'vitest'
import { ConcurrencyController } from '../../../src/llm/concurrency-controller.js'

interface SimOptions {
  /** Ollama's parallel slots (OLLAMA_NUM_PARALLEL). */
  slots: number
  requests: number
  /** Prompt evaluation before the first token. */
  promptMs?: number
  /** Generation after the first token, per stream. */
  generateMs?: number
  /** Per-stream speed as a function of how many streams run at once. */
  tokensPerSecond?: (running: number) => number
  controller: ConcurrencyController
  /** The controller's clock, moved with the simulation. */
  clock: { now: number }
}

/**
 * A discrete-event model of one Ollama host under a steady backlog: our queue sends up to the
 * controller's limit; inside "Ollama" at most `slots` run and the rest wait their turn.
 * Returns the limit after every finished request.
 */
function simulate(o: SimOptions): number[] {
  const promptMs = o.promptMs ?? 300
  const generateMs = o.generateMs ?? 1_500
  const rate = o.tokensPerSecond ?? (() => 30)
  let now = o.clock.now
  let sent = 0
  const limits: number[] = []
  type Job = { sentAt: number; inFlight: number; start?: number; end?: number; tps?: number }
  const ours: Job[] = [] // sent to the host, not finished
  const inside: Job[] = [] // holding an Ollama slot
  const waiting: Job[] = [] // waiting inside Ollama
  const startInside = (job: Job) => {
    job.start = now
    const tps = rate(inside.length + 1)
    job.tps = tps
    job.end = now + promptMs + (generateMs * 30) / tps
    inside.push(job)
  }
  const dispatch = () => {
    while (ours.length < o.controller.limit && sent < o.requests) {
      sent += 1
      const job: Job = { sentAt: now, inFlight: ours.length + 1 }
      ours.push(job)
      if (inside.length < o.slots) startInside(job)
      else waiting.push(job)
    }
  }
  dispatch()
  while (ours.length > 0) {
    const next = inside.reduce((a, b) => ((a.end ?? 0) <= (b.end ?? 0) ? a : b))
    now = next.end ?? now
    o.clock.now = now
    inside.splice(inside.indexOf(next), 1)
    ours.splice(ours.indexOf(next), 1)
    const first = waiting.shift()
    if (first) startInside(first)
    o.controller.observe({
      sentAt: next.sentAt,
      inFlight: next.inFlight,
      firstTokenMs: (next.start ?? 0) - next.sentAt + promptMs,
      promptTokens: 500,
      tokensPerSecond: next.tps ?? 30,
    })
    limits.push(o.controller.limit)
    dispatch()
  }
  return limits
}

const auto = (clock: { now: number }, max = 8) =>
  new ConcurrencyController({ now: () => clock.now }, { mode: 'auto', max })

describe('ConcurrencyController (auto)', () => {
  for (const slots of [1, 4, 8]) {
    it(`converges to a host's ${slots} parallel slot(s) within a few dozen requests`, () => {
      const clock = { now: 0 }
      const controller = auto(clock)
      const limits = simulate({ clock, slots, requests: 60, controller })
      // Settled by request 40 and stays there.
      expect(limits.slice(40)).toEqual(Array(20).fill(slots))
    })
  }

  it('starts at 2 and never exceeds OLLAMA_MAX_CONCURRENCY', () => {
    const clock = { now: 0 }
    const controller = auto(clock, 5)
    expect(controller.limit).toBe(2)
    const limits = simulate({ clock, slots: 16, requests: 80, controller })
    expect(Math.max(...limits)).toBe(5)
    expect(limits.at(-1)).toBe(5)
  })

  it('backs off when the host slows down: fewer slots than before', () => {
    const clock = { now: 0 }
    const controller = auto(clock)
    simulate({ clock, slots: 8, requests: 60, controller })
    expect(controller.limit).toBe(8)
    const limits = simulate({ clock, slots: 2, requests: 40, controller })
    expect(limits.slice(20)).toEqual(Array(20).fill(2))
  })

  it('backs off when streams get sharply slower as more run at once', () => {
    const clock = { now: 0 }
    const controller = auto(clock)
    // Beyond 3 streams the GPU is saturated: every stream slows to a crawl.
    const limits = simulate({
      clock,
      slots: 8,
      requests: 60,
      controller,
      tokensPerSecond: (running) => (running <= 3 ? 30 : 10),
    })
    expect(limits.slice(40).every((l) => l <= 3)).toBe(true)
    expect(Math.max(...limits.slice(40))).toBe(3)
  })

  it('ignores a first token that is slow because the prompt is longer', () => {
    const clock = { now: 0 }
    const controller = auto(clock)
    const sample = { sentAt: 0, inFlight: 2, tokensPerSecond: 30 }
    controller.observe({ ...sample, firstTokenMs: 300, promptTokens: 200 })
    controller.observe({ ...sample, firstTokenMs: 3_000, promptTokens: 4_000 })
    expect(controller.limit).toBe(3)
    controller.observe({ ...sample, inFlight: 3, firstTokenMs: 3_000, promptTokens: 200 })
    expect(controller.limit).toBe(2)
  })

  it('keeps a pinned value whatever happens', () => {
    const clock = { now: 0 }
    const controller = new ConcurrencyController({ now: () => clock.now }, { mode: 3, max: 8 })
    const limits = simulate({ clock, slots: 1, requests: 20, controller })
    expect(new Set(limits)).toEqual(new Set([3]))
    expect(controller.mode).toBe('fixed')
  })
})
