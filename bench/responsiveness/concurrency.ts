import type { Tier } from '../../src/core/types.js'
import type { LlmGateway } from '../../src/llm/create-llm-gateway.js'
import { type OllamaDoubleKnobs, startOllamaDouble } from '../../tests/doubles/ollama-double.js'
import { chatRequest } from '../helpers/chat-request.js'
import { percentile } from '../types.js'
import { ask, FIRST_TOKEN_MS, gateway, TOKEN_MS } from './stand-in.js'

/** 10 people at once; returns ms until every reply is complete. */
async function tenPeople(g: LlmGateway): Promise<number> {
  const t0 = performance.now()
  await Promise.all(Array.from({ length: 10 }, () => ask(g)))
  return performance.now() - t0
}

/** Keeps a backlog of short requests until `n` finished, so `auto` has seen the host. */
async function warmUp(g: LlmGateway, n: number): Promise<void> {
  let started = 0
  const worker = async () => {
    while (started < n) {
      started += 1
      await ask(g)
    }
  }
  await Promise.all(Array.from({ length: 10 }, worker))
}

/** (c)/(d) `auto` vs pinned values on a host with `slots` parallel slots. */
export async function slotsRun(
  slots: number,
  configs: readonly (number | 'auto')[],
  tokens: number,
) {
  const knobs: Partial<OllamaDoubleKnobs> = {
    loaded: ['llama3.2'],
    parallel: slots,
    firstTokenDelayMs: FIRST_TOKEN_MS,
    tokenIntervalMs: TOKEN_MS,
    replyTokens: tokens,
  }
  const out = new Map<number | 'auto', { ms: number; learned: number }>()
  for (const config of configs) {
    const double = await startOllamaDouble(knobs)
    const g = gateway([double.url], config)
    try {
      if (config === 'auto') {
        // A running bot has seen traffic: 40 replies of 30 tokens before the measured burst.
        double.set({ replyTokens: 30 })
        await warmUp(g, 40)
        double.set({ replyTokens: tokens })
      }
      const ms = await tenPeople(g)
      const learned = (await g.health())[0]?.concurrency?.limit ?? Number.NaN
      out.set(config, { ms, learned })
    } finally {
      await g.close()
      await double.close()
    }
  }
  return out
}

/** (c) premium vs free p95 wait at 3x overload with `auto` on a 4-slot host. */
export async function overloadAuto() {
  const double = await startOllamaDouble({
    loaded: ['llama3.2'],
    parallel: 4,
    firstTokenDelayMs: 10,
    tokenIntervalMs: 5,
    replyTokens: 10,
  })
  const g = gateway([double.url], 'auto')
  const waits: Record<Tier, number[]> = { free: [], premium: [] }
  try {
    await warmUp(g, 40)
    const service = await ask(g)
    const capacityPerSecond = (4 * 1000) / service.done
    const intervalMs = 1000 / (capacityPerSecond * 3)
    const runs: Promise<void>[] = []
    for (let i = 0; i < 240; i++) {
      const tier: Tier = i % 4 === 0 ? 'premium' : 'free'
      runs.push(ask(g, chatRequest(tier)).then((r) => void waits[tier].push(r.started)))
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
    await Promise.all(runs)
  } finally {
    await g.close()
    await double.close()
  }
  return { premium: percentile(waits.premium, 95), free: percentile(waits.free, 95) }
}
