import { Ollama } from 'ollama'
import { afterEach, describe, expect, it } from 'vitest'
import {
  doubleMessageTokens,
  type OllamaDouble,
  startOllamaDouble,
} from '../../doubles/ollama-double.js'

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setImmediate(resolve))
}

async function drain(ollama: Ollama, content: string, extra: object = {}) {
  let done: { prompt_eval_count?: number } | undefined
  for await (const part of await ollama.chat({
    model: 'llama3.2',
    messages: [{ role: 'user', content }],
    stream: true,
    ...extra,
  })) {
    if (part.done) done = part
  }
  return done
}

describe('Ollama double: parallel slots and context length, as Ollama does', () => {
  let double: OllamaDouble

  afterEach(async () => {
    await double.close()
  })

  it('answers at most `parallel` generations at once; the others wait inside the server', async () => {
    double = await startOllamaDouble({ parallel: 2, paused: true, replyTokens: 3 })
    const clients = Array.from({ length: 5 }, () => new Ollama({ host: double.url }))
    const runs = clients.map((c, i) => drain(c, `hello ${i}`))
    await until(() => double.active === 5 && double.waiting === 3)
    expect(double.running).toBe(2)
    double.set({ paused: false })
    await Promise.all(runs)
    expect(double.peakRunning).toBe(2)
    expect(double.running).toBe(0)
  })

  it('answers 503 "server busy" once more than maxQueue generations wait', async () => {
    double = await startOllamaDouble({ parallel: 1, maxQueue: 1, replyTokens: 2, paused: true })
    // The paused generation holds the slot; the next waits; a third is refused.
    const first = drain(new Ollama({ host: double.url }), 'a')
    await until(() => double.running === 1)
    const second = drain(new Ollama({ host: double.url }), 'b')
    await until(() => double.waiting === 1)
    await expect(drain(new Ollama({ host: double.url }), 'c')).rejects.toMatchObject({
      status_code: 503,
      error: 'server busy, please try again.  maximum pending requests exceeded',
    })
    double.set({ paused: false })
    await Promise.all([first, second])
    expect(double.peakRunning).toBe(1)
  })

  it('drops the oldest messages past num_ctx and reports what it evaluated', async () => {
    const seen: number[] = []
    double = await startOllamaDouble({
      reply: (r) => {
        seen.push(r.messages.length)
        return 'ok'
      },
    })
    const ollama = new Ollama({ host: double.url })
    const long = 'x'.repeat(400) // 100 tokens + 4 framing
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: long },
      { role: 'assistant', content: long },
      { role: 'user', content: 'last' },
    ]
    const full = await ollama.chat({ model: 'llama3.2', messages })
    const fullTokens = 1 + messages.reduce((n, m) => n + doubleMessageTokens(m.content), 0)
    expect(full.prompt_eval_count).toBe(fullTokens)
    const cut = await ollama.chat({ model: 'llama3.2', messages, options: { num_ctx: 150 } })
    expect(seen).toEqual([4, 3])
    // The oldest non-system message went; system and last stayed.
    expect(cut.prompt_eval_count).toBe(fullTokens - doubleMessageTokens(long))
    expect(cut.prompt_eval_count).toBeLessThanOrEqual(150)
  })
})
