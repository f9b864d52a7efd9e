import { afterEach, describe, expect, it } from 'vitest'
import type { LlmGateway } from '../../../src/llm/create-llm-gateway.js'
import { type OllamaDouble, startOllamaDouble } from '../../doubles/ollama-double.js'
import { chatRequest, collect, countingFetch, testGateway } from './helpers.js'

describe('LLM gateway: answers the moment Ollama is back', () => {
  const doubles: OllamaDouble[] = []
  let gateway: LlmGateway | undefined

  afterEach(async () => {
    await gateway?.close()
    gateway = undefined
    for (const d of doubles.splice(0)) await d.close()
  })

  async function restartedOllama() {
    const a = await startOllamaDouble({ replyTokens: 3 })
    doubles.push(a)
    const counter = countingFetch()
    let now = 1_000_000
    // A long open time and no background probe: only the request itself can find out.
    gateway = testGateway(
      { hosts: [a.url], breakerFailureThreshold: 1, breakerOpenMs: 60_000, fetch: counter.fetch },
      { now: () => now },
    ).gateway
    await a.stop()
    const down = await collect(gateway.chat(chatRequest()))
    expect(down.error).toMatchObject({ code: 'LLM_UNAVAILABLE' })
    expect((await gateway.health())[0]).toMatchObject({
      status: 'down',
      detail: expect.stringMatching(/^circuit open/),
    })
    return { a, counter, g: gateway, advance: (ms: number) => (now += ms) }
  }

  it('answers a request that arrives right after Ollama is back, despite the open circuit', async () => {
    const { a, counter, g } = await restartedOllama()
    const chatsWhileDown = counter.chats.length
    await a.start()
    const back = await collect(g.chat(chatRequest()))
    expect(back.error).toBeUndefined()
    expect(back.events.at(-1)).toMatchObject({ type: 'done', text: 'token0 token1 token2' })
    expect(a.requestsTo('/api/version')).toHaveLength(1)
    expect(counter.chats.length).toBe(chatsWhileDown + 1)
    expect((await g.health())[0]?.status).toBe('up')
  })

  it('probes a down host instead of sending it generations, at most once per second', async () => {
    const { a, counter, g, advance } = await restartedOllama()
    const chatsWhileDown = counter.chats.length
    const stillDown = await collect(g.chat(chatRequest()))
    expect(stillDown.error).toMatchObject({ code: 'LLM_UNAVAILABLE' })
    // Not a single generation went to the dead host: the probe said it was down.
    expect(counter.chats.length).toBe(chatsWhileDown)
    await a.start()
    // 0.9 s after the failed probe: this request waits for the next allowed probe, then is answered.
    advance(900)
    const back = await collect(g.chat(chatRequest()))
    expect(back.error).toBeUndefined()
    expect(a.requestsTo('/api/version')).toHaveLength(1)
  })
})
