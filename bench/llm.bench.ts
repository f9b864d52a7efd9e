import { Ollama } from 'ollama'
import type { Tier } from '../src/core/types.js'
import { chatRequest } from './helpers/chat-request.js'
import { type DoubleProcess, spawnDouble } from './helpers/ollama-double-process.js'
import { gatewayFor, viaGateway, viaRaw } from './llm/clients.js'
import { type BenchResult, percentile } from './types.js'

/** A realistic generation: 20 ms to the first token, then 20 tokens at 50 tokens/s. */
const REPLY = { firstTokenDelayMs: 20, tokenIntervalMs: 20, replyTokens: 20, loaded: ['llama3.2'] }
/** A shorter generation for the overload run, so 3x capacity fits in a few seconds. */
const SHORT_REPLY = { firstTokenDelayMs: 10, tokenIntervalMs: 5, replyTokens: 10 }

const median = (xs: readonly number[]) => percentile(xs, 50)

/**
 * (a) gateway vs raw client in alternating rounds against the same double, so both see the
 * same machine load; the ratio is the median of the per-round ratios of medians.
 */
async function overhead(double: DoubleProcess, concurrent: number, rounds: number) {
  const gateway = gatewayFor([double.url], concurrent)
  const raw = new Ollama({ host: double.url })
  const rawMs: number[] = []
  const gwMs: number[] = []
  const ratios: number[] = []
  try {
    const batch = (fn: () => Promise<number>) => Promise.all(Array.from({ length: concurrent }, fn))
    await batch(() => viaRaw(raw, chatRequest()))
    await batch(() => viaGateway(gateway, chatRequest()))
    for (let i = 0; i < rounds; i++) {
      const r = await batch(() => viaRaw(raw, chatRequest()))
      const g = await batch(() => viaGateway(gateway, chatRequest()))
      rawMs.push(...r)
      gwMs.push(...g)
      ratios.push(median(g) / median(r))
    }
  } finally {
    await gateway.close()
  }
  return { raw: median(rawMs), gateway: median(gwMs), ratio: median(ratios) }
}

/**
 * (b) requests per second through one or two hosts, each limited to 2 at a time; the doubles
 * run 2 generations at once like `OLLAMA_NUM_PARALLEL=2` (more wait inside them), so the ratio
 * measures routing and queueing, not an unlimited double.
 */
async function throughput(hosts: readonly DoubleProcess[], requests: number): Promise<number> {
  const gateway = gatewayFor(
    hosts.map((h) => h.url),
    2,
  )
  try {
    const start = performance.now()
    await Promise.all(Array.from({ length: requests }, () => viaGateway(gateway, chatRequest())))
    return requests / ((performance.now() - start) / 1000)
  } finally {
    await gateway.close()
  }
}

/**
 * (c) a deterministic reply the first time (miss) and from the cache (hit). Each miss is paired
 * with the same kind of request through the bare client in the same round, so the miss's
 * bookkeeping (queue, key, storing the reply) shows as the difference of the two.
 */
async function cacheLatency(double: DoubleProcess) {
  const gateway = gatewayFor([double.url], 2)
  const raw = new Ollama({ host: double.url })
  const misses: number[] = []
  const differences: number[] = []
  const hits: number[] = []
  try {
    await viaRaw(raw, chatRequest('free', { temperature: 0 }))
    for (let i = 0; i < 40; i++) {
      const req = chatRequest('free', { temperature: 0 })
      const bare = await viaRaw(raw, chatRequest('free', { temperature: 0 }))
      const miss = await viaGateway(gateway, req)
      misses.push(miss)
      differences.push(miss - bare)
      for (let j = 0; j < 50; j++) hits.push(await viaGateway(gateway, req))
    }
  } finally {
    await gateway.close()
  }
  return {
    miss: median(misses),
    hit: median(hits),
    hitP99: percentile(hits, 99),
    missOverRaw: median(differences),
  }
}

/** (d) arrivals at 3x capacity, a quarter premium; wait = call until `started`. */
async function overload(double: DoubleProcess) {
  const gateway = gatewayFor([double.url], 2)
  const waits: Record<Tier, number[]> = { free: [], premium: [] }
  try {
    const serviceMs = await viaGateway(gateway, chatRequest())
    const capacityPerSecond = 2000 / serviceMs
    const intervalMs = 1000 / (capacityPerSecond * 3)
    const total = 160
    const runs: Promise<void>[] = []
    for (let i = 0; i < total; i++) {
      const tier: Tier = i % 4 === 0 ? 'premium' : 'free'
      runs.push(
        (async () => {
          const start = performance.now()
          for await (const event of gateway.chat(chatRequest(tier))) {
            if (event.type === 'started') waits[tier].push(performance.now() - start)
          }
        })(),
      )
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
    await Promise.all(runs)
  } finally {
    await gateway.close()
  }
  return { premium: percentile(waits.premium, 95), free: percentile(waits.free, 95) }
}

export async function run(): Promise<BenchResult[]> {
  const started = await Promise.allSettled([
    spawnDouble(REPLY),
    spawnDouble({ ...REPLY, parallel: 2 }),
    spawnDouble({ ...REPLY, parallel: 2 }),
    spawnDouble({ ...SHORT_REPLY, loaded: ['llama3.2'] }),
  ])
  const doubles = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const [a, slotsA, slotsB, short] = doubles
  if (!a || !slotsA || !slotsB || !short) {
    await Promise.all(doubles.map((d) => d.stop()))
    throw new Error('could not start the Ollama doubles for the LLM bench')
  }
  try {
    const one = await overhead(a, 1, 20)
    const fifty = await overhead(a, 50, 5)
    const t1 = await throughput([slotsA], 24)
    const t2 = await throughput([slotsA, slotsB], 24)
    const cache = await cacheLatency(short)
    const load = await overload(short)
    const ratio = (x: number) => Math.round(x * 1000) / 1000
    return [
      {
        name: 'llm: raw ollama streamed reply, 1 concurrent (p50)',
        value: ratio(one.raw),
        unit: 'ms',
      },
      {
        name: 'llm: gateway streamed reply, 1 concurrent (p50)',
        value: ratio(one.gateway),
        unit: 'ms',
      },
      {
        name: 'llm: gateway / raw latency, 1 concurrent',
        value: ratio(one.ratio),
        unit: 'x',
        target: '<= 1.02',
        pass: one.ratio <= 1.02,
      },
      {
        name: 'llm: raw ollama streamed reply, 50 concurrent (p50)',
        value: ratio(fifty.raw),
        unit: 'ms',
      },
      {
        name: 'llm: gateway streamed reply, 50 concurrent (p50)',
        value: ratio(fifty.gateway),
        unit: 'ms',
      },
      {
        name: 'llm: gateway / raw latency, 50 concurrent',
        value: ratio(fifty.ratio),
        unit: 'x',
        target: '<= 1.02',
        pass: fifty.ratio <= 1.02,
      },
      {
        name: 'llm: throughput, 1 host x 2 slots (double: 2 parallel)',
        value: ratio(t1),
        unit: 'req/s',
      },
      {
        name: 'llm: throughput, 2 hosts x 2 slots (doubles: 2 parallel)',
        value: ratio(t2),
        unit: 'req/s',
      },
      {
        name: 'llm: two hosts / one host throughput',
        value: ratio(t2 / t1),
        unit: 'x',
        target: '>= 1.9',
        pass: t2 / t1 >= 1.9,
      },
      { name: 'llm: cache miss reply (p50)', value: ratio(cache.miss), unit: 'ms' },
      { name: 'llm: cache hit reply (p50)', value: ratio(cache.hit), unit: 'ms' },
      {
        name: 'llm: cache hit reply (p99)',
        value: ratio(cache.hitP99),
        unit: 'ms',
        target: '< 1 ms',
        pass: cache.hitP99 < 1,
      },
      {
        name: 'llm: cache miss over the raw client (median paired difference, 60 ms reply)',
        value: ratio(cache.missOverRaw),
        unit: 'ms',
        target: '< 2 ms',
        pass: cache.missOverRaw < 2,
      },
      {
        name: 'llm: cache hit speed-up over miss',
        value: Math.round(cache.miss / cache.hit),
        unit: 'x',
        target: '>= 100',
        pass: cache.miss / cache.hit >= 100,
      },
      { name: 'llm: 3x overload, premium p95 wait', value: ratio(load.premium), unit: 'ms' },
      { name: 'llm: 3x overload, free p95 wait', value: ratio(load.free), unit: 'ms' },
      {
        name: 'llm: 3x overload, premium / free p95 wait',
        value: ratio(load.premium / load.free),
        unit: 'x',
        target: '<= 0.333',
        pass: load.premium / load.free <= 1 / 3,
      },
    ]
  } finally {
    await Promise.all(doubles.map((d) => d.stop()))
  }
}
