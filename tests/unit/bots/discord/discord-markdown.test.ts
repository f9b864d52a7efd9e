import { describe, expect, it } from 'vitest'
import {
  discordChunks,
  MESSAGE_LIMIT,
  neutraliseDeceptiveLinks,
} from '../../../../bots/discord/discord-markdown.js'

describe('Discord message text', () => {
  it('shows a masked link whose text names another domain as its plain URL', () => {
    expect(neutraliseDeceptiveLinks('Log in at [paypal.com](https://evil.example/login) now')).toBe(
      'Log in at https://evil.example/login now',
    )
    expect(neutraliseDeceptiveLinks('[https://bank.com](https://phish.example/)')).toBe(
      'https://phish.example/',
    )
  })

  it('keeps honest masked links and anything inside code', () => {
    const honest =
      'See [the docs](https://example.com/docs) or [example.com](https://www.example.com/a).'
    expect(neutraliseDeceptiveLinks(honest)).toBe(honest)
    const code = '`[paypal.com](https://evil.example)`\n```\n[a.com](https://b.example)\n```'
    expect(neutraliseDeceptiveLinks(code)).toBe(code)
  })

  it('never sends more than 2,000 characters, even with 5+ backtick fences (issue #19 item 15)', () => {
    for (const ticks of [5, 7, 10]) {
      const fence = '`'.repeat(ticks)
      const text = `Intro\n\n${fence}\n${'0123456789'.repeat(450)}\n${fence}\n\nOutro`
      const chunks = discordChunks(text)
      expect(chunks.length).toBeGreaterThan(2)
      for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(MESSAGE_LIMIT)
    }
  })

  it('closes what a streaming reply leaves open, and leaves a finished one as written', () => {
    expect(discordChunks('*she leans in* **Listen to', 0, true)).toEqual([
      '*she leans in* **Listen to**',
    ])
    expect(discordChunks('spoiler: ||the end', 0, true)).toEqual(['spoiler: ||the end||'])
    expect(discordChunks('```js\nconst a', 0, true)).toEqual(['```js\nconst a\n```'])
    expect(discordChunks('a lone ** stays', 0, false)).toEqual(['a lone ** stays'])
  })
})
