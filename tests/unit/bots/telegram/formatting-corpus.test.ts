import { describe, expect, it } from 'vitest'
import { markdownToTelegramHtml } from '../../../../bots/telegram/telegram-html-renderer.js'
import { entityProblems, parseTelegramHtml } from '../../../doubles/telegram-html.js'
import { loadCorpus } from '../../../helpers/formatting-corpus.js'

const corpus = loadCorpus()

describe('persona reply corpus rendered for Telegram', () => {
  it('holds at least 60 replies in the styles persona chat uses', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60)
    expect(new Set(corpus.map((r) => r.name)).size).toBe(corpus.length)
  })

  for (const reply of corpus) {
    it(reply.name, () => {
      const html = markdownToTelegramHtml(reply.markdown)
      expect(html).toBe(reply.html)
      const parsed = parseTelegramHtml(html)
      if (!parsed.ok) throw new Error(parsed.description)
      expect(parsed.text).toBe(reply.text)
      expect(entityProblems(parsed.entities)).toEqual([])
    })
  }
})
