import type Token from 'markdown-it/lib/token.mjs'
import { isAllowedLink, isDeceptiveLink } from '../shared/link-safety.js'
import { escapeAttribute, escapeTelegramHtml } from './telegram-html-escape.js'

const INLINE_TAGS: Record<string, string> = {
  strong: 'b',
  em: 'i',
  s: 's',
  spoiler: 'tg-spoiler',
}

/** The plain text of inline tokens (for table cells and link checks). */
export function plainInline(tokens: readonly Token[]): string {
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
export class InlineRenderer {
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
