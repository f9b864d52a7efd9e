import { describe, expect, it } from 'vitest'
import { discordChunks } from '../../../../bots/discord/discord-markdown.js'
import { closeOpenMarkdown } from '../../../../bots/shared/markdown-state.js'
import { splitParts } from '../../../../bots/shared/split-message.js'
import { streamingChunks } from '../../../../bots/telegram/reply-renderer.js'
import { visibleText } from '../../../../bots/telegram/telegram-html-escape.js'
import { markdownToTelegramHtml } from '../../../../bots/telegram/telegram-html-renderer.js'
import { telegramLength } from '../../../../bots/telegram/telegram-split.js'
import { entityProblems, parseTelegramHtml } from '../../../doubles/telegram-html.js'
import {
  loadCorpus,
  randomMarkdown,
  randomReply,
  seededRandom,
} from '../../../helpers/formatting-corpus.js'

/** Renders for Telegram and returns what the Bot API double reports (throws on a rejection). */
function accepted(markdown: string): string {
  const html = markdownToTelegramHtml(markdown)
  const parsed = parseTelegramHtml(html)
  if (!parsed.ok) throw new Error(`${parsed.description}\n${JSON.stringify(markdown)}\n${html}`)
  const problems = entityProblems(parsed.entities)
  if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${JSON.stringify(markdown)}`)
  return parsed.text
}

/** The split covers the whole source in order: only whitespace falls between two parts. */
function expectCovers(text: string, limit: number, measure?: (s: string) => number) {
  const parts = splitParts(text, measure ? { limit, measure } : limit)
  let at = 0
  for (const part of parts) {
    expect(text.slice(at, part.from).trim(), JSON.stringify(text)).toBe('')
    const shown = text.slice(part.from, part.to)
    expect(part.text.includes(shown.trimEnd()), JSON.stringify({ text, part })).toBe(true)
    expect((measure ?? ((s: string) => s.length))(part.text)).toBeLessThanOrEqual(limit)
    at = part.to
  }
  expect(text.slice(at).trim()).toBe('')
}

const squash = (s: string) => s.replace(/\s+/g, '')

describe('formatting properties over random and streamed replies', () => {
  it('every prefix of every corpus reply (each streaming state) renders valid Telegram HTML', () => {
    let states = 0
    for (const reply of loadCorpus()) {
      for (let end = 1; end <= reply.markdown.length; end++) {
        const prefix = reply.markdown.slice(0, end)
        accepted(prefix)
        for (const chunk of streamingChunks(prefix)) accepted(chunk)
        states++
      }
    }
    expect(states).toBeGreaterThan(3_000)
  })

  it('random Markdown always renders to HTML the Bot API accepts, also while streaming', () => {
    const random = seededRandom(14)
    for (let i = 0; i < 4_000; i++) {
      const markdown = randomMarkdown(random)
      accepted(markdown)
      accepted(closeOpenMarkdown(markdown))
    }
  })

  it('split parts stay within the limit and show the whole source, in order (Telegram and Discord)', () => {
    const random = seededRandom(19)
    for (let i = 0; i < 1_500; i++) {
      const markdown = randomMarkdown(random, 20 + Math.floor(random() * 200))
      expectCovers(markdown, 120, telegramLength)
      expectCovers(markdown, 100)
      for (const chunk of streamingChunks(markdown)) accepted(chunk)
    }
  })

  it('the messages of a split reply read exactly like the unsplit reply', () => {
    const random = seededRandom(7)
    for (let i = 0; i < 400; i++) {
      const reply = randomReply(random)
      const whole = accepted(reply)
      const parts = splitParts(reply, { limit: 300, measure: telegramLength })
      const shown = parts.map((p) => accepted(p.text))
      for (const text of shown) expect(text.length).toBeLessThanOrEqual(300)
      expect(squash(shown.join('')), reply).toBe(squash(whole))
      const discord = discordChunks(reply)
      expect(squash(discord.join('')).length).toBeGreaterThanOrEqual(squash(reply).length)
    }
  })

  it('while a reply streams in, its earlier messages never change', () => {
    const random = seededRandom(3)
    for (let i = 0; i < 60; i++) {
      const reply = randomReply(random, 20)
      const final = splitParts(reply, { limit: 400, measure: telegramLength }).map((p) => p.text)
      for (let end = 1; end < reply.length; end += 1 + Math.floor(random() * 40)) {
        const partial = splitParts(reply.slice(0, end), { limit: 400, measure: telegramLength })
        const settled = partial.slice(0, -1).map((p) => p.text)
        expect(final.slice(0, settled.length)).toEqual(settled)
      }
    }
  })

  it('visible text of rendered HTML is what the Bot API shows', () => {
    const random = seededRandom(5)
    for (let i = 0; i < 500; i++) {
      const html = markdownToTelegramHtml(randomMarkdown(random))
      const parsed = parseTelegramHtml(html)
      expect(parsed.ok && parsed.text).toBe(visibleText(html))
    }
  })
})
