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

describe('splitMessage: balancing and limits (issues #14, #19 item 15)', () => {
  it('never exceeds 2,000 characters with code fences of 5 or more backticks', () => {
    for (const ticks of [5, 6, 8, 12]) {
      const fence = '`'.repeat(ticks)
      const code = Array.from({ length: 400 }, (_, i) => `line ${i} of the example`).join('\n')
      const text = `Here is the file:\n\n${fence}md\n${code}\n${fence}\n\nThat is all.`
      const chunks = splitMessage(text, 2000)
      expect(chunks.length).toBeGreaterThan(1)
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(2000)
        const fences = chunk.match(new RegExp(`^${fence}`, 'gm')) ?? []
        expect(fences.length % 2, chunk.slice(0, 40)).toBe(0)
      }
      const inner = chunks.slice(1, -1)
      for (const chunk of inner) expect(chunk.startsWith(`${fence}md\n`)).toBe(true)
      // A code line without any break: the cut lands at the very end of the room (the old
      // splitter reserved room for a 3-backtick fence and sent 2,001-2,008 characters).
      const dense = `Here is the file:\n\n${fence}\n${'0123456789'.repeat(300)}\n${fence}\n\nEnd.`
      for (const chunk of splitMessage(dense, 2000)) expect(chunk.length).toBeLessThanOrEqual(2000)
    }
  })

  it('understands ~~~ fences as well as backtick ones', () => {
    const code = Array.from({ length: 40 }, (_, i) => `x${i} = ${i}`).join('\n')
    const chunks = splitMessage(`~~~py\n${code}\n~~~`, 120)
    for (const chunk of chunks) {
      expect(chunk.startsWith('~~~py\n')).toBe(true)
      expect(chunk.endsWith('\n~~~')).toBe(true)
    }
  })

  it('closes emphasis, spoilers and code spans at a cut and reopens them in the next message', () => {
    const long = 'word '.repeat(30).trim()
    for (const marker of ['*', '**', '***', '_', '~~', '||', '`']) {
      const chunks = splitMessage(`${marker}${long}${marker} and after.`, 80)
      expect(chunks.length, marker).toBeGreaterThan(2)
      const [first, second] = chunks as [string, string]
      expect(first.startsWith(marker) && first.endsWith(marker), `${marker}: ${first}`).toBe(true)
      expect(second.startsWith(marker), `${marker}: ${second}`).toBe(true)
      for (const chunk of chunks) {
        expect(chunk.split(marker).length % 2, `${marker}: ${chunk}`).toBe(1)
      }
    }
  })

  it('never cuts inside a word, a URL, a custom emoji, an HTML entity or link text', () => {
    const atoms = [
      'https://example.com/a/very/long/path?with=query&and=more',
      '<:pepe_happy:123456789012345678>',
      '&amp;',
      '[a link with several words](https://example.com)',
      'extraordinarily',
    ]
    for (let shift = 0; shift < 40; shift++) {
      const text = `${'x '.repeat(20 + shift)}${atoms.join(' ')} ${'y '.repeat(30)}`
      const chunks = splitMessage(text, 60)
      for (const atom of atoms)
        expect(
          chunks.some((c) => c.includes(atom)),
          atom,
        ).toBe(true)
    }
  })

  it('always splits the same finished text the same way, prefix by prefix', () => {
    const text = Array.from({ length: 60 }, (_, i) => `Sentence ${i} has **some** words.`).join(' ')
    const full = splitMessage(text, 200)
    for (let end = 1; end <= text.length; end += 7) {
      const partial = splitMessage(text.slice(0, end), 200)
      expect(full.slice(0, partial.length - 1)).toEqual(partial.slice(0, -1))
    }
  })
})
