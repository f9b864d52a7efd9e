import { describe, expect, it } from 'vitest'
import { markdownToTelegramHtml } from '../../../../bots/telegram/markdown-to-html.js'
import { parseTelegramHtml } from '../../../doubles/telegram-html.js'

const render = markdownToTelegramHtml

describe('markdownToTelegramHtml', () => {
  it('renders bold, italics, strikethrough and inline code', () => {
    expect(render('**bold** and *it* and _it2_ and ~~gone~~ and `x < 1`')).toBe(
      '<b>bold</b> and <i>it</i> and <i>it2</i> and <s>gone</s> and <code>x &lt; 1</code>',
    )
  })

  it('renders fenced code blocks with and without a language, escaped', () => {
    expect(render('```python\nif a < b:\n    print("&")\n```')).toBe(
      '<pre><code class="language-python">if a &lt; b:\n    print("&amp;")</code></pre>',
    )
    expect(render('```\n<div>\n```')).toBe('<pre>&lt;div&gt;</pre>')
  })

  it('renders links with escaped URLs and headings as bold', () => {
    expect(render('[the docs](https://example.com/?a=1&b=2)')).toBe(
      '<a href="https://example.com/?a=1&amp;b=2">the docs</a>',
    )
    expect(render('## Title')).toBe('<b>Title</b>')
  })

  it('escapes everything else, including HTML the model writes', () => {
    expect(render('<script>alert(1)</script> & <b>not bold</b>')).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;',
    )
  })

  it('leaves unmatched markers, list bullets and snake_case alone', () => {
    expect(render('* item\n2 * 3 = 6\nsome_variable_name and **open')).toBe(
      '* item\n2 * 3 = 6\nsome_variable_name and **open',
    )
  })

  it('keeps code out of other entities, as Telegram requires', () => {
    expect(render('**see `x`**')).toBe('<b>see x</b>')
  })

  it('always produces HTML the strict Bot API checker accepts, no longer than the input', () => {
    const samples = [
      '**a *b* c** `d` [e](https://x.y) ~~f~~',
      '***triple*** __under__ _a_b_ *unclosed **mixed* done**',
      '```js\nconst a = "<b>"\n',
      'a < b > c & d &amp; &#169; [broken](javascript:alert(1))',
      '`` double `tick` `` and ` lone',
    ]
    for (const md of samples) {
      const parsed = parseTelegramHtml(render(md))
      expect(parsed.ok, md).toBe(true)
      if (parsed.ok) expect(parsed.text.length).toBeLessThanOrEqual(md.length)
    }
  })
})
