import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import type { LlmEvent } from '../../../src/core/ports/llm.js'
import { createLlmGateway, type LlmGateway } from '../../../src/llm/create-llm-gateway.js'
import { type OllamaDouble, startOllamaDouble } from '../../doubles/ollama-double.js'
import { silentLogger } from '../../helpers/logger.js'
import { chatRequest, collect, eventually, TEST_GATEWAY_OPTIONS, text } from '../llm/helpers.js'
import { openReplicas, sharedSlotsOf, type TestReplica, type TestReplicaSet } from './replicas.js'

const url = process.env.TEST_DATABASE_URL

describe.skipIf(!url)('one GPU queue shared by replicas on PostgreSQL', () => {
  let set: TestReplicaSet | undefined
  let double: OllamaDouble | undefined
  const gateways: LlmGateway[] = []

  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.close()))
    await double?.close()
    await set?.close()
  })

  async function replicaGateways(count: number, concurrency: number, leaseMs = 10_000) {
    set = await openReplicas(count)
    const host = double?.url ?? ''
    for (const replica of set.replicas) {
      gateways.push(
        createLlmGateway(
          {
            log: silentLogger(),
            registry: new Registry(),
            slots: sharedSlotsOf(replica, { leaseMs }),
          },
          { ...TEST_GATEWAY_OPTIONS, hosts: [host], concurrency },
        ),
      )
    }
    return gateways
  }

  it('never runs more generations on a host than its concurrency, summed over 3 replicas', async () => {
    double = await startOllamaDouble({ loaded: ['llama3.2'], replyTokens: 6, tokenIntervalMs: 5 })
    const [a, b, c] = await replicaGateways(3, 2)
    const all = [a, b, c].flatMap((g, r) =>
      Array.from({ length: 10 }, (_, i) =>
        collect(
          (g as LlmGateway).chat(
            chatRequest({
              userKey: `user-${r}-${i % 4}`,
              messages: [{ role: 'user', content: `r${r} m${i}` }],
            }),
          ),
        ),
      ),
    )
    const results = await Promise.all(all)
    expect(results.filter((r) => r.error !== undefined)).toEqual([])
    expect(results.every((r) => text(r.events).length > 0)).toBe(true)
    expect(double.requestsTo('/api/chat')).toHaveLength(30)
    expect(double.peakRunning).toBe(2)
  }, 60_000)

  it('serves premium requests first under overload, wherever they arrived, and tells global places', async () => {
    double = await startOllamaDouble({ loaded: ['llama3.2'], replyTokens: 2, paused: true })
    const [a, b, c] = (await replicaGateways(3, 1)) as [LlmGateway, LlmGateway, LlmGateway]
    const positions: number[] = []
    const ask = (g: LlmGateway, tier: 'free' | 'premium', name: string) =>
      collect(
        g.chat(chatRequest({ tier, userKey: name, messages: [{ role: 'user', content: name }] })),
        (e: LlmEvent) => {
          if (e.type === 'queued' && name === 'late-premium') positions.push(e.position)
        },
      )
    const blocker = ask(a, 'free', 'blocker')
    await eventually(() => double?.active === 1, 10_000, 'the blocker to reach Ollama')
    const waiting = [
      ask(a, 'free', 'free-a1'),
      ask(b, 'free', 'free-b1'),
      ask(a, 'free', 'free-a2'),
      ask(b, 'free', 'free-b2'),
    ]
    const rows = async () =>
      Number(
        (
          await set?.replicas[0]?.database.db
            .selectFrom('gpu_ticket')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('state', '=', 'waiting')
            .executeTakeFirst()
        )?.n ?? 0,
      )
    while ((await rows()) < 4) await new Promise((r) => setTimeout(r, 20))
    const premium = [ask(c, 'premium', 'premium-c1'), ask(c, 'premium', 'late-premium')]
    while ((await rows()) < 6) await new Promise((r) => setTimeout(r, 20))
    await eventually(() => positions.length > 0, 10_000, 'a place in line')
    double.set({ paused: false })
    const results = await Promise.all([blocker, ...waiting, ...premium])
    expect(results.filter((r) => r.error !== undefined)).toEqual([])
    const order = double
      .requestsTo('/api/chat')
      .map((r) => (r.body as { messages: { content: string }[] }).messages.at(-1)?.content)
    expect(order.slice(0, 3)).toEqual(['blocker', 'premium-c1', 'late-premium'])
    expect(order.slice(3).sort()).toEqual(['free-a1', 'free-a2', 'free-b1', 'free-b2'])
    // Behind one premium request of another person: second in line across all replicas.
    expect(positions[0]).toBe(2)
    expect(double.peakRunning).toBe(1)
  }, 60_000)

  it('frees the slot of a replica that died within its lease time', async () => {
    set = await openReplicas(2)
    const [alive, dying] = set.replicas as [TestReplica, TestReplica]
    const errors: string[] = []
    const dyingSlots = sharedSlotsOf(dying, { leaseMs: 1_000, errors })('ollama-1', {
      concurrency: 1,
      onDepth: () => {},
    })
    const aliveSlots = sharedSlotsOf(alive, { leaseMs: 1_000, pollMs: 100 })('ollama-1', {
      concurrency: 1,
      onDepth: () => {},
    })
    let holding: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      holding = resolve
    })
    // The dying replica takes the only slot and never gives it back.
    void dyingSlots
      .run(() => new Promise<never>(() => holding()), { priority: 0, onPosition: () => {} })
      .catch(() => {})
    await held
    const places: number[] = []
    const waited = aliveSlots.run(async () => `ran with ${aliveSlots.running} running`, {
      priority: 0,
      person: 'someone',
      onPosition: (p) => places.push(p),
    })
    await eventually(() => places.length > 0, 10_000, 'a place in line')
    expect(places[0]).toBe(1)
    await dying.kill()
    // Within the lease (1 s) plus a poll: the dead replica's ticket no longer counts.
    expect(await waited).toBe('ran with 1 running')
    expect(errors).toContain('renewing GPU slot leases')
  }, 30_000)
})
