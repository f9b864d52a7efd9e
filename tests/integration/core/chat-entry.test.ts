import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../../src/chat.js'
import { type OllamaDouble, startOllamaDouble } from '../../doubles/ollama-double.js'

function streams(lines: string[]) {
  const input = new PassThrough()
  const output = new PassThrough()
  const errors = new PassThrough()
  const out: string[] = []
  const err: string[] = []
  output.on('data', (c: Buffer) => out.push(c.toString()))
  errors.on('data', (c: Buffer) => err.push(c.toString()))
  input.end(lines.map((l) => `${l}\n`).join(''))
  return { input, output, errors, out, err }
}

let double: OllamaDouble | undefined
afterEach(async () => {
  await double?.close()
  double = undefined
})

describe('npm run chat', () => {
  it('chats with a shipped persona over the Ollama double and exits 0', async () => {
    double = await startOllamaDouble({ reply: () => 'Aye, the winds are fair.' })
    const s = streams(['hello', '/quit'])
    const code = await main(['--persona', 'mara-quill'], {
      ...s,
      env: { OLLAMA_HOSTS: double.url, DATABASE_URL: ':memory:', PERSONAS_DIR: './personas' },
    })
    expect(code).toBe(0)
    const out = s.out.join('')
    expect(out).toContain('You are talking to Mara Quill — ')
    expect(out).toContain('Mara Quill: Aye, the winds are fair.')
  })

  it('says where it looked for Ollama and how to start it when unreachable', async () => {
    double = await startOllamaDouble()
    const url = double.url
    await double.stop()
    const s = streams([])
    const code = await main([], {
      ...s,
      env: { OLLAMA_HOSTS: url, OLLAMA_MODEL: 'qwen2.5:0.5b', DATABASE_URL: ':memory:' },
    })
    expect(code).toBe(1)
    const err = s.err.join('')
    expect(err).toContain(`Ollama is not reachable at ${url}`)
    expect(err).toContain('ollama serve')
    expect(err).toContain('ollama pull qwen2.5:0.5b')
  })

  it('reports an invalid configuration without a stack trace', async () => {
    const s = streams([])
    const code = await main([], { ...s, env: { OLLAMA_HOSTS: 'not a url' } })
    expect(code).toBe(1)
    expect(s.err.join('')).toMatch(/OLLAMA_HOSTS=.*is not valid/)
  })
})
