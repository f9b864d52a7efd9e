import type Token from 'markdown-it/lib/token.mjs'
import { isAllowedLink, isDeceptiveLink } from '../shared/link-safety.js'
import { createMarkdownParser } from './markdown-parser.js'
import { renderTable } from './table-text.js'

/** Escapes text for Telegram's HTML parse mode (`<`, `>`, `&`). */
export function escapeTelegramHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

const escapeAttribute = (text: string) => escapeTelegramHtml(text).replaceAll('"', '&quot;')

/** The text a reader sees for our own HTML (tags dropped, the four entities we emit decoded). */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&')
}

/** A quote longer than this (visible characters) or than {@link EXPANDABLE_LINES} is collapsible. */
const EXPANDABLE_CHARS = 600
const EXPANDABLE_LINES = 8
export const SCENE_BREAK = '⁂'

const INLINE_TAGS: Record<string, string> = {
  strong: 'b',
  em: 'i',
  s: 's',
  spoiler: 'tg-spoiler',
}

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

/** The plain text of inline tokens (for table cells and link checks). */
function plainInline(tokens: readonly Token[]): string {
  let out = ''
  for (const token of tokens) {
    if (token.type === 'text' || token.type === 'code_inline') out += token.content
    else if (token.type === 'softbreak' || token.type === 'hardbreak') out += '\n'
    else if (token.type === 'image') out += plainInline(token.children ?? [])
  }
  return out
}

/**
 * Renders inline tokens, keeping Telegram's nesting rules: `code` never inside another entity
 * (formatting around it is closed and reopened), no entity inside one of the same kind.
 */
class InlineRenderer {
  readonly #open: { tag: string; html: string }[] = []
  readonly #outer: readonly string[]
  #out = ''

  /** `outer`: tags already open around this text (e.g. `b` of a heading). */
  constructor(outer: readonly string[] = []) {
    this.#outer = outer
  }

  render(tokens: readonly Token[]): string {
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as Token
      if (token.type === 'link_open') {
        const close = findClose(tokens, i, 'link_close')
        this.#link(token.attrGet('href') ?? '', tokens.slice(i + 1, close))
        i = close
        continue
      }
      this.#token(token)
    }
    while (this.#open.length > 0) this.#close()
    return this.#out
  }

  #token(token: Token): void {
    switch (token.type) {
      case 'text':
        this.#out += escapeTelegramHtml(token.content)
        return
      case 'softbreak':
      case 'hardbreak':
        this.#out += '\n'
        return
      case 'code_inline':
        this.#code(token.content)
        return
      case 'image':
        this.#link(token.attrGet('src') ?? '', token.children ?? [], true)
        return
    }
    const kind = token.type.replace(/_(open|close)$/, '')
    const tag = INLINE_TAGS[kind]
    if (tag === undefined) {
      this.#out += escapeTelegramHtml(token.content)
      return
    }
    if (token.nesting === 1) this.#push(tag, `<${tag}>`)
    else this.#pop(tag)
  }

  #isOpen(tag: string): boolean {
    return this.#outer.includes(tag) || this.#open.some((o) => o.tag === tag && o.html !== '')
  }

  #push(tag: string, html: string): void {
    // The same entity inside itself is redundant for Telegram: keep only the outer one.
    const effective = this.#isOpen(tag) ? '' : html
    this.#open.push({ tag, html: effective })
    this.#out += effective
  }

  #pop(tag: string): void {
    const index = this.#open.findLastIndex((o) => o.tag === tag)
    if (index === -1) return
    // Close what is above (never happens with balanced tokens), then this one.
    while (this.#open.length > index) this.#close()
  }

  #close(): void {
    const top = this.#open.pop()
    if (top?.html) this.#out += `</${top.tag}>`
  }

  #code(content: string): void {
    if (this.#outer.length > 0) {
      this.#out += escapeTelegramHtml(content)
      return
    }
    const reopen = this.#open.filter((o) => o.html !== '')
    for (const o of [...reopen].reverse()) this.#out += `</${o.tag}>`
    this.#out += `<code>${escapeTelegramHtml(content)}</code>`
    for (const o of reopen) this.#out += o.html
  }

  #link(href: string, children: readonly Token[], image = false): void {
    const text = plainInline(children)
    if (!isAllowedLink(href)) {
      this.#inner(children, image)
      return
    }
    if (isDeceptiveLink(text, href)) {
      this.#out += escapeTelegramHtml(href)
      return
    }
    if (this.#isOpen('a') || this.#open.some((o) => o.html !== '' && o.tag === 'code')) {
      this.#inner(children, image)
      return
    }
    this.#push('a', `<a href="${escapeAttribute(href)}">`)
    if (image || text.trim() === '')
      this.#out += escapeTelegramHtml(text.trim() === '' ? href : text)
    else for (const child of children) this.#token(child)
    this.#pop('a')
  }

  #inner(children: readonly Token[], image: boolean): void {
    if (image) this.#out += escapeTelegramHtml(plainInline(children))
    else for (const child of children) this.#token(child)
  }
}

function findClose(tokens: readonly Token[], start: number, type: string): number {
  for (let i = start + 1; i < tokens.length; i++) if (tokens[i]?.type === type) return i
  return tokens.length - 1
}
