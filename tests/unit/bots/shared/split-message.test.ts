import { describe, expect, it } from 'vitest'
import { splitMessage } from '../../../../bots/shared/split-message.js'

const fences = (chunk: string) => (chunk.match(/^\s*```/gm) ?? []).length

describe('splitMessage', () => {
  it('returns short text unchanged as one chunk', () => {
    expect(splitMessage('Hello there.', 2000)).toEqual(['Hello there.'])
  })

  it('cuts at a paragraph boundary when one is available', () => {
    const a = 'a'.repeat(60)
    const b = 'b'.repeat(60)
    expect(splitMessage(`${a}\n\n${b}`, 100)).toEqual([a, b])
  })

  it('cuts after a sentence rather than inside one', () => {
    const text = `${'First sentence is here. '.repeat(3)}Second part goes on and on without end`
    const chunks = splitMessage(text, 80)
    expect(chunks[0]?.endsWith('.')).toBe(true)
    expect(chunks.join(' ')).toBe(text.replace(/\s+$/, ''))
  })

  it('never exceeds the limit, even for text without any spaces', () => {
    const chunks = splitMessage('x'.repeat(5_000), 2000)
    expect(chunks).toHaveLength(3)
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(2000)
    expect(chunks.join('')).toBe('x'.repeat(5_000))
  })

  it('closes a cut code block and reopens it with the same language', () => {
    const code = Array.from({ length: 30 }, (_, i) => `let line${i} = ${i}`).join('\n')
    const chunks = splitMessage(`Intro\n\n\`\`\`ts\n${code}\n\`\`\`\n\nOutro`, 200)
    expect(chunks.length).toBeGreaterThan(2)
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(200)
      expect(fences(chunk) % 2).toBe(0)
    }
    for (const chunk of chunks.slice(1, -1)) expect(chunk.startsWith('```ts\n')).toBe(true)
    const body = chunks.join('\n')
    for (let i = 0; i < 30; i++) expect(body).toContain(`let line${i} = ${i}`)
    expect(chunks.at(-1)?.endsWith('Outro')).toBe(true)
  })

  it('keeps every word of a long mixed reply', () => {
    const words = Array.from({ length: 1500 }, (_, i) => `w${i}`)
    const text = words.join(' ')
    const chunks = splitMessage(text, 2000)
    expect(chunks.every((c) => c.length <= 2000)).toBe(true)
    expect(chunks.join(' ').split(' ')).toEqual(words)
  })
})
