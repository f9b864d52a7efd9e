import type Token from 'markdown-it/lib/token.mjs'
import { createMarkdownParser } from './markdown-parser.js'
import { renderTable } from './table-text.js'
import { escapeAttribute, escapeTelegramHtml, visibleText } from './telegram-html-escape.js'
import { InlineRenderer, plainInline } from './telegram-inline-renderer.js'

/** A quote longer than this (visible characters) or than {@link EXPANDABLE_LINES} is collapsible. */
const EXPANDABLE_CHARS = 600
const EXPANDABLE_LINES = 8
export const SCENE_BREAK = '⁂'

const md = createMarkdownParser()

/**
 * Renders model Markdown as Telegram HTML using only the tags Telegram's HTML parse mode knows
 * (`b i s code pre a blockquote tg-spoiler`); raw HTML from the model stays visible text.
 * Headings become bold lines, lists bullet or number lines, tables a `pre` block, images links,
 * `***`/`---` scene breaks a ⁂ line. Links go only to http(s)/tg URLs; a link whose text
 * names another domain is shown as its plain URL.
 */
export function markdownToTelegramHtml(markdown: string): string {
  const tokens = md.parse(markdown, {})
  return new BlockRenderer(tokens).render().trim()
}

/** Renders the block tokens in `[from, to)`; nested containers recurse on their own range. */
class BlockRenderer {
  readonly #tokens: Token[]
  #quoteDepth = 0

  constructor(tokens: Token[]) {
    this.#tokens = tokens
  }

  render(): string {
    return this.#blocks(0, this.#tokens.length, '\n\n')
  }

  #blocks(from: number, to: number, separator: string): string {
    const out: string[] = []
    let i = from
    while (i < to) {
      const token = this.#tokens[i] as Token
      const end = token.nesting === 1 ? this.#closing(i) : i
      const html = this.#block(i, end)
      if (html !== '') out.push(html)
      i = end + 1
    }
    return out.join(separator)
  }

  /** Index of the token closing the container opened at `start`. */
  #closing(start: number): number {
    let depth = 0
    for (let i = start; i < this.#tokens.length; i++) {
      depth += (this.#tokens[i] as Token).nesting
      if (depth === 0) return i
    }
    return this.#tokens.length - 1
  }

  #block(start: number, end: number): string {
    const token = this.#tokens[start] as Token
    switch (token.type) {
      case 'paragraph_open':
        return this.#inlineBetween(start, end)
      case 'heading_open':
        return `<b>${new InlineRenderer(['b']).render(this.#inlineChildren(start, end))}</b>`
      case 'blockquote_open':
        return this.#quote(start, end)
      case 'bullet_list_open':
      case 'ordered_list_open':
        return this.#list(start, end, 0)
      case 'fence':
      case 'code_block':
        return codeBlock(token.content, token.type === 'fence' ? token.info : '')
      case 'hr':
        return SCENE_BREAK
      case 'table_open':
        return `<pre>${escapeTelegramHtml(renderTable(this.#tokens.slice(start, end + 1), plainInline))}</pre>`
      case 'html_block':
        return escapeTelegramHtml(token.content.replace(/\n+$/, ''))
      case 'inline':
        return new InlineRenderer().render(token.children ?? [])
      default:
        return ''
    }
  }

  #inlineChildren(start: number, end: number): Token[] {
    for (let i = start; i <= end; i++) {
      const token = this.#tokens[i] as Token
      if (token.type === 'inline') return token.children ?? []
    }
    return []
  }

  #inlineBetween(start: number, end: number): string {
    return new InlineRenderer().render(this.#inlineChildren(start, end))
  }

  #quote(start: number, end: number): string {
    this.#quoteDepth++
    const inner = this.#blocks(start + 1, end, '\n\n')
    this.#quoteDepth--
    // Telegram cannot nest quotes: an inner quote is shown inside the outer one.
    if (this.#quoteDepth > 0 || inner === '') return inner
    const text = visibleText(inner)
    const long = text.length > EXPANDABLE_CHARS || text.split('\n').length > EXPANDABLE_LINES
    return `${long ? '<blockquote expandable>' : '<blockquote>'}${inner}</blockquote>`
  }

  #list(start: number, end: number, depth: number): string {
    const open = this.#tokens[start] as Token
    const ordered = open.type === 'ordered_list_open'
    const indent = '   '.repeat(depth)
    const items: string[] = []
    let i = start + 1
    while (i < end) {
      const itemEnd = this.#closing(i)
      // Numbers as the author wrote them: each message of a split reply shows the same.
      const item = this.#tokens[i] as Token
      const marker = ordered ? `${item.info}${item.markup}` : '•'
      items.push(`${indent}${marker} ${this.#item(i + 1, itemEnd, depth)}`)
      i = itemEnd + 1
    }
    return items.join('\n')
  }

  #item(from: number, to: number, depth: number): string {
    const parts: string[] = []
    let i = from
    while (i < to) {
      const token = this.#tokens[i] as Token
      const end = token.nesting === 1 ? this.#closing(i) : i
      if (token.type === 'bullet_list_open' || token.type === 'ordered_list_open') {
        parts.push(`\n${this.#list(i, end, depth + 1)}`)
      } else {
        const html = this.#block(i, end)
        if (html !== '') parts.push(parts.length > 0 ? `\n${html}` : html)
      }
      i = end + 1
    }
    return parts.join('')
  }
}

function codeBlock(content: string, info: string): string {
  const body = escapeTelegramHtml(content.replace(/\n$/, ''))
  if (body === '') return ''
  const language = /^[\w+#.-]+/.exec(info.trim())?.[0]
  return language
    ? `<pre><code class="language-${escapeAttribute(language)}">${body}</code></pre>`
    : `<pre>${body}</pre>`
}
