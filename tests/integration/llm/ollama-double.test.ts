import { Ollama } from 'ollama'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OllamaDouble, startOllamaDouble } from '../../doubles/ollama-double.js'

describe('Ollama double with the real ollama client', () => {
  let double: OllamaDouble
  let ollama: Ollama

  beforeAll(async () => {
    double = await startOllamaDouble({
      models: ['llama3.2'],
      reply: (r) => `echo: ${r.messages.at(-1)?.content}`,
    })
    ollama = new Ollama({ host: double.url })
  })
  afterAll(async () => {
    await double.close()
  })

  it('answers a non-streamed chat with the whole reply and counts', async () => {
    const res = await ollama.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'ping' }],
    })
    expect(res.message.content).toBe('echo: ping')
    expect(res).toMatchObject({ done: true, done_reason: 'stop', eval_count: 2 })
  })

  it('streams /api/generate and loads a model with an empty prompt', async () => {
    double.set({ loaded: [] })
    const load = await ollama.generate({ model: 'llama3.2', prompt: '', keep_alive: '5m' })
    expect(load).toMatchObject({ done: true, done_reason: 'load' })
    expect((await ollama.ps()).models.map((m) => m.name)).toEqual(['llama3.2:latest'])
    let text = ''
    for await (const part of await ollama.generate({
      model: 'llama3.2',
      prompt: 'hi',
      stream: true,
    })) {
      text += part.response
    }
    expect(text).toBe('echo: hi')
  })

  it('unloads with keep_alive 0', async () => {
    const res = await ollama.generate({ model: 'llama3.2', prompt: '', keep_alive: 0 })
    expect(res.done_reason).toBe('unload')
    expect((await ollama.ps()).models).toEqual([])
  })

  it('streams pull progress and installs the model', async () => {
    const statuses: string[] = []
    for await (const p of await ollama.pull({ model: 'phi3', stream: true }))
      statuses.push(p.status)
    expect(statuses.at(-1)).toBe('success')
    expect((await ollama.list()).models.map((m) => m.name)).toContain('phi3:latest')
  })

  it('refuses connections while stopped and listens on the same port again', async () => {
    const port = double.port
    await double.stop()
    await expect(ollama.version()).rejects.toThrow()
    await double.start()
    expect(double.port).toBe(port)
    await expect(ollama.version()).resolves.toEqual({ version: '0.12.0' })
  })

  it('answers unknown models with 404 and the documented error text', async () => {
    await expect(ollama.show({ model: 'nope' })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 404,
      error: "model 'nope' not found",
    })
  })
})
