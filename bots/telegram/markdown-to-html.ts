/** Escapes text for Telegram's HTML parse mode (`<`, `>`, `&`; quotes too inside attributes). */
export function escapeTelegramHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

function escapeAttribute(text: string): string {
  return escapeTelegramHtml(text).replaceAll('"', '&quot;')
}

const FENCE = /^ {0,3}```\s*([\w+#.-]*)\s*$/
const HEADING = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/
const LINK = /^\[([^\]\n]+)\]\((https?:\/\/[^\s()<>]+(?:\([^\s()<>]*\))?[^\s()<>]*)\)/

/**
 * Renders the Markdown a model writes (bold, italics, strikethrough, inline code, fenced code
 * blocks with a language, links, headings) as Telegram HTML. Everything else is escaped, every
 * tag it emits is closed, and the visible text is never longer than the input, so a chunk that
 * fits as plain text also fits rendered.
 */
export function markdownToTelegramHtml(markdown: string): string {
  const out: string[] = []
  const lines = markdown.split('\n')
  let paragraph: string[] = []
  const flush = () => {
    if (paragraph.length > 0) out.push(renderInline(paragraph.join('\n'), false))
    paragraph = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const fence = FENCE.exec(line)
    if (fence) {
      flush()
      const code: string[] = []
      i++
      while (i < lines.length && !/^ {0,3}```\s*$/.test(lines[i] ?? '')) code.push(lines[i++] ?? '')
      const language = fence[1] ?? ''
      const body = escapeTelegramHtml(code.join('\n'))
      out.push(
        language
          ? `<pre><code class="language-${escapeAttribute(language)}">${body}</code></pre>`
          : `<pre>${body}</pre>`,
      )
      continue
    }
    const heading = HEADING.exec(line)
    if (heading) {
      flush()
      out.push(`<b>${renderInline(heading[1] ?? '', true)}</b>`)
      continue
    }
    paragraph.push(line)
  }
  flush()
  return out.join('\n')
}

interface Emphasis {
  readonly marker: string
  readonly tag: 'b' | 'i' | 's'
}

const EMPHASIS: readonly Emphasis[] = [
  { marker: '**', tag: 'b' },
  { marker: '__', tag: 'b' },
  { marker: '~~', tag: 's' },
  { marker: '*', tag: 'i' },
  { marker: '_', tag: 'i' },
]

const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c)
const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c)

/** `nested`: inside another entity, where Telegram allows no code entity. */
function renderInline(text: string, nested: boolean): string {
  let out = ''
  let i = 0
  outer: while (i < text.length) {
    const ch = text[i] as string
    if (ch === '\\' && i + 1 < text.length && /[\\`*_~[\]()#>-]/.test(text[i + 1] as string)) {
      out += escapeTelegramHtml(text[i + 1] as string)
      i += 2
      continue
    }
    if (ch === '`') {
      const ticks = /^`+/.exec(text.slice(i))?.[0] ?? '`'
      const end = text.indexOf(ticks, i + ticks.length)
      if (end !== -1) {
        const code = text.slice(i + ticks.length, end)
        if (code.trim().length > 0) {
          out += nested ? escapeTelegramHtml(code) : `<code>${escapeTelegramHtml(code)}</code>`
          i = end + ticks.length
          continue
        }
      }
    }
    if (ch === '[') {
      const link = LINK.exec(text.slice(i))
      if (link) {
        const label = renderInline(link[1] ?? '', true)
        out += `<a href="${escapeAttribute(link[2] ?? '')}">${label}</a>`
        i += link[0].length
        continue
      }
    }
    for (const { marker, tag } of EMPHASIS) {
      if (!text.startsWith(marker, i)) continue
      const close = findClosing(text, i, marker)
      if (close === -1) continue
      out += `<${tag}>${renderInline(text.slice(i + marker.length, close), true)}</${tag}>`
      i = close + marker.length
      continue outer
    }
    out += escapeTelegramHtml(ch)
    i++
  }
  return out
}

/** Index of the marker closing the one at `start`, or -1 (then the marker is literal text). */
function findClosing(text: string, start: number, marker: string): number {
  const first = text[start + marker.length]
  if (isSpace(first)) return -1
  // `snake_case_names` and `2*3*4` are not emphasis.
  if (marker.startsWith('_') && isWord(text[start - 1])) return -1
  let at = text.indexOf(marker, start + marker.length + 1)
  while (at !== -1) {
    const before = text[at - 1]
    const after = text[at + marker.length]
    const doubled = marker.length === 1 && after === marker[0]
    const okAfter = !(marker.startsWith('_') && isWord(after))
    if (!isSpace(before) && !doubled && okAfter && !text.slice(start, at).includes('\n\n')) {
      return at
    }
    at = text.indexOf(marker, at + marker.length)
  }
  return -1
}
