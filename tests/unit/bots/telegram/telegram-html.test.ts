import { describe, expect, it } from 'vitest'
import { parseTelegramHtml } from '../../../doubles/telegram-html.js'

describe('the Bot API double HTML checker', () => {
  it('returns the visible text and entities of valid HTML', () => {
    expect(parseTelegramHtml('<b>hi</b> &lt;3 <a href="https://x.y">link</a>')).toEqual({
      ok: true,
      text: 'hi <3 link',
      entities: [
        { type: 'bold', offset: 0, length: 2 },
        { type: 'text_link', offset: 6, length: 4, url: 'https://x.y' },
      ],
    })
  })

  it("rejects unsupported, unbalanced and unclosed tags like Telegram's parser", () => {
    const bad = ['<div>x</div>', '<b><i>x</b></i>', '<b>x', 'a < b', '<a>x</a>']
    for (const html of bad) {
      const parsed = parseTelegramHtml(html)
      expect(parsed.ok, html).toBe(false)
      if (!parsed.ok) expect(parsed.description).toMatch(/^Bad Request: can't parse entities: /)
    }
  })
})
