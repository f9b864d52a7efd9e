import { describe, expect, it } from 'vitest'
import { splitText, TELEGRAM_TEXT_LIMIT } from '../../../../bots/telegram/split-text.js'

const para = (i: number, words = 60) => `P${i} ${'lorem '.repeat(words)}end.`

describe('splitText', () => {
  it('keeps a short text in one chunk and drops blank text', () => {
    expect(splitText('Hello there.')).toEqual(['Hello there.'])
    expect(splitText('  \n ')).toEqual([])
  })

  it('splits at paragraph breaks and keeps every chunk within the limit', () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => para(i))
    const text = paragraphs.join('\n\n')
    const chunks = splitText(text)
    expect(chunks.length).toBeGreaterThan(1)
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT)
    for (const c of chunks) expect(c).toMatch(/^P\d+ .*end\.$/s)
    expect(chunks.join('\n\n')).toBe(text)
  })

  it('closes a code block cut in two and reopens it with its language', () => {
    const code = Array.from({ length: 400 }, (_, i) => `const line${i} = ${i}`).join('\n')
    const text = `Here is code:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nDone.`
    const chunks = splitText(text, 1000)
    expect(chunks.length).toBeGreaterThan(2)
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(1000)
      expect((c.match(/```/g) ?? []).length % 2).toBe(0)
    }
    expect(chunks[1]?.startsWith('```ts\n')).toBe(true)
    expect(chunks.at(-1)).toMatch(/Done\.$/)
  })

  it('cuts text without any break hard, never inside a surrogate pair', () => {
    const text = `a${'😀'.repeat(3000)}`
    const chunks = splitText(text, 101)
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(101)
      expect(c).not.toMatch(/[\ud800-\udbff]$/)
    }
    expect(chunks.join('')).toBe(text)
  })

  it('splits a prefix the same way however the text continues', () => {
    const text = Array.from({ length: 20 }, (_, i) => para(i)).join('\n\n')
    const first = splitText(text.slice(0, 6000))[0]
    expect(splitText(text)[0]).toBe(first)
  })
})
