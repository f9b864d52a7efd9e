import { describe, expect, it } from 'vitest'
import { markdownToTelegramHtml } from '../../../bots/telegram/telegram-html-renderer.js'
import { escapeMarkdown } from '../../../src/core/markdown-text.js'
import { parseTelegramHtml } from '../../doubles/telegram-html.js'

describe('escapeMarkdown', () => {
  it('keeps names as written once rendered: no links, no formatting', () => {
    const names = [
      '[Admin: verify here](https://evil.example/verify)',
      '**Boss** _x_ ~~y~~ ||z|| `code`',
      '<b>tag</b> &amp; \\ back\\slash',
      '> quoted # heading ![img](https://x.y/i.png)',
      'Zoë 🌙 Ana-María',
    ]
    for (const name of names) {
      const parsed = parseTelegramHtml(markdownToTelegramHtml(`Hello ${escapeMarkdown(name)}!`))
      expect(parsed).toEqual({ ok: true, text: `Hello ${name}!`, entities: [] })
    }
  })
})
