import { afterEach, describe, expect, it } from 'vitest'
import type { LlmGateway } from '../../../src/llm/create-llm-gateway.js'
import { type OllamaDouble, startOllamaDouble } from '../../doubles/ollama-double.js'
import { chatRequest, collect, testGateway } from './helpers.js'

describe('LLM gateway: OLLAMA_CONCURRENCY=auto against an Ollama with 4 parallel slots', () => {
  let double: OllamaDouble | undefined
  let gateway: LlmGateway | undefined

  afterEach(async () => {
    await gateway?.close()
    await double?.close()
  })

  it('learns the 4 slots and shows them in health and metrics', async () => {
    double = await startOllamaDouble({
      parallel: 4,
      loaded: ['llama3.2'],
      firstTokenDelayMs: 20,
      replyTokens: 20,
      tokenIntervalMs: 25,
    })
    const built = testGateway({ hosts: [double.url], concurrency: 'auto', maxConcurrency: 8 })
    gateway = built.gateway
    const g = gateway
    expect((await g.health())[0]?.concurrency).toEqual({ limit: 2, mode: 'auto' })
    const results = await Promise.all(
      Array.from({ length: 48 }, (_, i) =>
        collect(
          g.chat(
            chatRequest({
              userKey: `user-${i % 12}`,
              messages: [{ role: 'user', content: `hi ${i}` }],
            }),
          ),
        ),
      ),
    )
    expect(results.filter((r) => r.error !== undefined)).toEqual([])
    expect(double.peakRunning).toBe(4)
    const [health] = await g.health()
    expect(health?.concurrency).toEqual({ limit: 4, mode: 'auto' })
    expect(health?.detail).toMatch(/concurrency 4 \(auto\)/)
    const metrics = await built.registry.metrics()
    expect(metrics).toContain(`justlayme_llm_concurrency{host="${double.url}",mode="auto"} 4`)
  }, 60_000)

  it('keeps a pinned OLLAMA_CONCURRENCY and reports it as fixed', async () => {
    double = await startOllamaDouble({ parallel: 4 })
    const built = testGateway({ hosts: [double.url], concurrency: 3 })
    gateway = built.gateway
    expect((await gateway.health())[0]?.concurrency).toEqual({ limit: 3, mode: 'fixed' })
    expect(await built.registry.metrics()).toContain(
      `justlayme_llm_concurrency{host="${double.url}",mode="fixed"} 3`,
    )
  })
})
