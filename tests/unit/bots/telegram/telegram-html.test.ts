import { describe, expect, it } from 'vitest'
import { entityProblems, parseTelegramHtml } from '../../../doubles/telegram-html.js'

describe('the Bot API double HTML checker (a port of TDLib parse_html)', () => {
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
    const bad = {
      '<div>x</div>': 'Unsupported start tag "div" at byte offset 0',
      '<b><i>x</b></i>': 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
      '<b>x': 'Can\'t find end tag corresponding to start tag "b"',
      'a < b': 'Unsupported start tag "" at byte offset 2',
      'é <b': 'Unclosed start tag at byte offset 3',
      'x</b>': 'Unexpected end tag at byte offset 1',
      '<span class="x">s</span>': 'Tag "span" must have class "tg-spoiler" at byte offset 0',
      '<a href=x"y">t</a>': 'Unexpected end of name token at byte offset 8',
    }
    for (const [html, message] of Object.entries(bad)) {
      expect(parseTelegramHtml(html), html).toEqual({
        ok: false,
        description: `Bad Request: can't parse entities: ${message}`,
      })
    }
  })

  it('decodes only the four named entities and numeric ones, the semicolon optional', () => {
    const parsed = parseTelegramHtml('&amp &lt;&#169;&#x1F600; &nbsp; &copy;')
    expect(parsed).toMatchObject({ ok: true, text: '& <©😀 &nbsp; &copy;' })
  })

  it('drops links Telegram would refuse but keeps their text', () => {
    const parsed = parseTelegramHtml(
      '<a href="javascript:alert(1)">x</a> <a href="tg://resolve?domain=a">y</a>',
    )
    expect(parsed).toEqual({
      ok: true,
      text: 'x y',
      entities: [{ type: 'text_link', offset: 2, length: 1, url: 'tg://resolve?domain=a' }],
    })
  })

  it('knows code blocks with a language, spoilers and expandable quotes', () => {
    const parsed = parseTelegramHtml(
      '<pre><code class="language-ts">a</code></pre><tg-spoiler>b</tg-spoiler><blockquote expandable>c</blockquote>',
    )
    expect(parsed).toEqual({
      ok: true,
      text: 'abc',
      entities: [
        { type: 'pre', offset: 0, length: 1, language: 'ts' },
        { type: 'spoiler', offset: 1, length: 1 },
        { type: 'expandable_blockquote', offset: 2, length: 1 },
      ],
    })
  })

  it('names entities Telegram would drop when fixing the nesting', () => {
    const check = (html: string) => {
      const parsed = parseTelegramHtml(html)
      return parsed.ok ? entityProblems(parsed.entities) : [parsed.description]
    }
    expect(check('<b>a <code>b</code></b>')).toHaveLength(1)
    expect(check('<code>a <b>b</b></code>')).toHaveLength(1)
    expect(check('<blockquote>a <blockquote>b</blockquote></blockquote>')).toHaveLength(1)
    expect(
      check('<b>a</b> <code>b</code> <blockquote><code>c</code> <b>d</b></blockquote>'),
    ).toEqual([])
  })
})
