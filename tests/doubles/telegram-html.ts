/** One formatting entity, as the Bot API reports it (offsets in UTF-16 code units). */
export interface TelegramEntity {
  readonly type: string
  readonly offset: number
  readonly length: number
  readonly url?: string
  readonly language?: string
  readonly custom_emoji_id?: string
}

export type ParsedHtml =
  | { readonly ok: true; readonly text: string; readonly entities: TelegramEntity[] }
  | { readonly ok: false; readonly description: string }

/** The tags TDLib's HTML parser accepts (case-insensitive), and the entity each one makes. */
const TYPES: Record<string, string> = {
  a: 'text_link',
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  u: 'underline',
  ins: 'underline',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  'tg-emoji': 'custom_emoji',
  'tg-time': 'date_time',
  pre: 'pre',
  code: 'code',
  blockquote: 'blockquote',
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' }

const isSpace = (c: string | undefined) =>
  c === undefined || c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v'

class HtmlError extends Error {}

/** TDLib's order for entities on the same range (`get_type_priority`): outer ones first. */
const PRIORITY: Record<string, number> = {
  blockquote: 0,
  expandable_blockquote: 0,
  pre: 11,
  code: 20,
  text_link: 49,
  bold: 90,
  italic: 91,
  underline: 92,
  strikethrough: 93,
  spoiler: 94,
  custom_emoji: 99,
}
const priority = (e: TelegramEntity) =>
  e.type === 'pre' && e.language ? 10 : (PRIORITY[e.type] ?? 50)

/**
 * A port of TDLib's `parse_html` (td/telegram/MessageEntity.cpp), which the Bot API uses for
 * `parse_mode: "HTML"`: the same tag list, attribute syntax, entity decoding (`&lt; &gt; &amp;
 * &quot;` and numeric ones, `;` optional; anything else stays text), the same errors with
 * byte offsets, links checked like `get_checked_link` (an invalid href drops the link, not the
 * text). Returns the visible text and entities, or the Bot API's error description.
 */
export function parseTelegramHtml(html: string): ParsedHtml {
  try {
    return { ok: true, ...new HtmlParser(html).parse() }
  } catch (err) {
    if (!(err instanceof HtmlError)) throw err
    return { ok: false, description: `Bad Request: can't parse entities: ${err.message}` }
  }
}

interface OpenTag {
  readonly name: string
  readonly argument: string
  readonly offset: number
}

class HtmlParser {
  readonly #src: string
  #i = 0
  #text = ''
  #surrogates = false
  readonly #entities: TelegramEntity[] = []
  readonly #stack: OpenTag[] = []

  constructor(src: string) {
    this.#src = src
  }

  parse(): { text: string; entities: TelegramEntity[] } {
    const src = this.#src
    while (this.#i < src.length) {
      const c = src[this.#i] as string
      if (c === '&') {
        const decoded = this.#entity()
        if (decoded !== undefined) {
          this.#text += decoded
          continue
        }
      }
      if (c !== '<') {
        this.#text += c
        this.#i++
        continue
      }
      if (src[this.#i + 1] === '/') this.#endTag()
      else this.#startTag()
    }
    const open = this.#stack.at(-1)
    if (open) throw new HtmlError(`Can't find end tag corresponding to start tag "${open.name}"`)
    if (this.#surrogates && /\p{Cs}/u.test(this.#text)) {
      throw new HtmlError(
        'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units',
      )
    }
    const entities = this.#entities.sort(
      (a, b) => a.offset - b.offset || b.length - a.length || priority(a) - priority(b),
    )
    return { text: this.#text, entities }
  }

  #byteOffset(at: number): number {
    return Buffer.byteLength(this.#src.slice(0, at))
  }

  /** Decodes the entity at `#i` and moves past it, or returns undefined (then `&` is text). */
  #entity(): string | undefined {
    const src = this.#src
    const pos = this.#i
    let end = pos + 1
    let code = 0
    if (src[end] === '#') {
      end++
      const hex = src[end] === 'x'
      if (hex) end++
      const digits = hex ? /[0-9a-fA-F]/ : /[0-9]/
      while (end < src.length && digits.test(src[end] as string)) {
        code = code * (hex ? 16 : 10) + Number.parseInt(src[end] as string, hex ? 16 : 10)
        end++
        if (code > 0x10ffff) code = 0x110000
      }
      if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined
    } else {
      while (end < src.length && /[a-zA-Z]/.test(src[end] as string)) end++
      const named = NAMED[src.slice(pos + 1, end)]
      if (named === undefined) return undefined
      code = named.codePointAt(0) as number
    }
    this.#i = src[end] === ';' ? end + 1 : end
    if (code >= 0xd800 && code <= 0xdfff) this.#surrogates = true
    return String.fromCodePoint(code)
  }

  #startTag(): void {
    const src = this.#src
    const begin = this.#i
    this.#i++
    while (this.#i < src.length && !isSpace(src[this.#i]) && src[this.#i] !== '>') this.#i++
    if (this.#i >= src.length) {
      throw new HtmlError(`Unclosed start tag at byte offset ${this.#byteOffset(begin)}`)
    }
    const name = src.slice(begin + 1, this.#i).toLowerCase()
    if (TYPES[name] === undefined) {
      throw new HtmlError(
        `Unsupported start tag "${name}" at byte offset ${this.#byteOffset(begin)}`,
      )
    }
    let argument = ''
    const unclosed = () =>
      new HtmlError(`Unclosed start tag "${name}" at byte offset ${this.#byteOffset(begin)}`)
    while (src[this.#i] !== '>') {
      while (this.#i < src.length && isSpace(src[this.#i])) this.#i++
      if (src[this.#i] === '>') break
      const attrBegin = this.#i
      while (
        this.#i < src.length &&
        !isSpace(src[this.#i]) &&
        !'=>/"\''.includes(src[this.#i] as string)
      ) {
        this.#i++
      }
      const attribute = src.slice(attrBegin, this.#i)
      if (attribute === '') {
        throw new HtmlError(
          `Empty attribute name in the tag "${name}" at byte offset ${this.#byteOffset(begin)}`,
        )
      }
      while (this.#i < src.length && isSpace(src[this.#i])) this.#i++
      if (src[this.#i] !== '=') {
        if (this.#i >= src.length) throw unclosed()
        if (name === 'blockquote' && attribute === 'expandable') argument = '1'
        continue
      }
      this.#i++
      while (this.#i < src.length && isSpace(src[this.#i])) this.#i++
      if (this.#i >= src.length) throw unclosed()
      const value = this.#attributeValue()
      if (this.#i >= src.length) {
        throw new HtmlError(`Unclosed start tag at byte offset ${this.#byteOffset(begin)}`)
      }
      if (name === 'a' && attribute === 'href') argument = value
      else if (name === 'code' && attribute === 'class' && value.startsWith('language-')) {
        argument = value.slice(9)
      } else if (name === 'span' && attribute === 'class' && value.startsWith('tg-')) {
        argument = value.slice(3)
      } else if (name === 'tg-emoji' && attribute === 'emoji-id') argument = value
      else if (name === 'blockquote' && attribute === 'expandable') argument = '1'
    }
    if (name === 'span' && argument !== 'spoiler') {
      throw new HtmlError(
        `Tag "span" must have class "tg-spoiler" at byte offset ${this.#byteOffset(begin)}`,
      )
    }
    this.#i++
    this.#stack.push({ name, argument, offset: this.#text.length })
  }

  #attributeValue(): string {
    const src = this.#src
    const quote = src[this.#i]
    if (quote !== '"' && quote !== "'") {
      const begin = this.#i
      while (this.#i < src.length && /[a-zA-Z0-9.-]/.test(src[this.#i] as string)) this.#i++
      if (!isSpace(src[this.#i]) && src[this.#i] !== '>') {
        throw new HtmlError(
          `Unexpected end of name token at byte offset ${this.#byteOffset(begin)}`,
        )
      }
      return src.slice(begin, this.#i).toLowerCase()
    }
    this.#i++
    let value = ''
    while (this.#i < src.length && src[this.#i] !== quote) {
      if (src[this.#i] === '&') {
        const decoded = this.#entity()
        if (decoded !== undefined) {
          value += decoded
          continue
        }
      }
      value += src[this.#i]
      this.#i++
    }
    if (src[this.#i] === quote) this.#i++
    return value
  }

  #endTag(): void {
    const src = this.#src
    const begin = this.#i
    const open = this.#stack.at(-1)
    if (!open) throw new HtmlError(`Unexpected end tag at byte offset ${this.#byteOffset(begin)}`)
    this.#i += 2
    while (this.#i < src.length && !isSpace(src[this.#i]) && src[this.#i] !== '>') this.#i++
    const name = src.slice(begin + 2, this.#i).toLowerCase()
    while (this.#i < src.length && isSpace(src[this.#i])) this.#i++
    if (src[this.#i] !== '>') {
      throw new HtmlError(`Unclosed end tag at byte offset ${this.#byteOffset(begin)}`)
    }
    this.#i++
    if (name !== '' && name !== open.name) {
      throw new HtmlError(
        `Unmatched end tag at byte offset ${this.#byteOffset(begin)}, expected "</${open.name}>", found "</${name}>"`,
      )
    }
    this.#stack.pop()
    const length = this.#text.length - open.offset
    if (length > 0) this.#addEntity(open, length)
  }

  #addEntity(open: OpenTag, length: number): void {
    const base = { offset: open.offset, length }
    const entities = this.#entities
    switch (open.name) {
      case 'tg-emoji': {
        if (!/^-?\d+$/.test(open.argument) || BigInt(open.argument) === 0n) {
          throw new HtmlError('Invalid custom emoji identifier specified')
        }
        entities.push({ type: 'custom_emoji', ...base, custom_emoji_id: open.argument })
        return
      }
      case 'a': {
        const url = checkedLink(open.argument || this.#text.slice(open.offset))
        if (url !== undefined) entities.push({ type: 'text_link', ...base, url })
        return
      }
      case 'pre': {
        const last = entities.at(-1)
        if (last?.type === 'code' && last.offset === base.offset && last.length === length) {
          if (last.language) entities[entities.length - 1] = { ...last, type: 'pre' }
          else entities.push({ type: 'pre', ...base })
          return
        }
        entities.push({ type: 'pre', ...base })
        return
      }
      case 'code': {
        const last = entities.at(-1)
        if (
          last?.type === 'pre' &&
          last.offset === base.offset &&
          last.length === length &&
          open.argument !== ''
        ) {
          entities[entities.length - 1] = { ...last, language: open.argument }
          return
        }
        entities.push(
          open.argument
            ? { type: 'code', ...base, language: open.argument }
            : { type: 'code', ...base },
        )
        return
      }
      case 'blockquote':
        entities.push({ type: open.argument ? 'expandable_blockquote' : 'blockquote', ...base })
        return
      default:
        entities.push({ type: TYPES[open.name] as string, ...base })
    }
  }
}

/**
 * Like TDLib's `LinkManager::get_checked_link`: http(s), tg, ton and tonsite links pass (a
 * link without a scheme is taken as http); anything else (`javascript:`, `mailto:`, relative
 * paths) yields no link.
 */
export function checkedLink(raw: string): string | undefined {
  const link = raw.trim()
  if (link === '' || /\s/.test(link)) return undefined
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(link)?.[1]?.toLowerCase()
  if (scheme === 'tg' || scheme === 'ton' || scheme === 'tonsite') return link
  const url = scheme === undefined || !link.includes('://') ? `http://${link}` : link
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https' && link.includes('://')) {
    return undefined
  }
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined
    if (parsed.hostname === '' || !/^[\p{L}\p{N}.[\]:_-]+$/u.test(parsed.hostname)) return undefined
    return url
  } catch {
    return undefined
  }
}

/**
 * Entities Telegram would drop or merge when it fixes them (TDLib `fix_entities`): `code`/`pre`
 * containing others or inside anything but a quote, a quote inside a quote, a link (or quote)
 * inside a link, an entity inside another of its own type. Our renderer must produce none.
 */
export function entityProblems(entities: readonly TelegramEntity[]): string[] {
  const problems: string[] = []
  const quote = (t: string) => t === 'blockquote' || t === 'expandable_blockquote'
  const pre = (t: string) => t === 'pre' || t === 'code'
  const continuous = (t: string) => t === 'text_link' || t === 'custom_emoji'
  for (const inner of entities) {
    for (const outer of entities) {
      if (outer === inner) continue
      const contains =
        outer.offset <= inner.offset &&
        inner.offset + inner.length <= outer.offset + outer.length &&
        (outer.length > inner.length || entities.indexOf(outer) < entities.indexOf(inner))
      if (!contains) continue
      const what = `${inner.type}@${inner.offset} inside ${outer.type}@${outer.offset}`
      if (pre(outer.type)) problems.push(`${what}: code and pre contain nothing`)
      else if (pre(inner.type) && !quote(outer.type)) problems.push(`${what}: code only in quotes`)
      else if (quote(inner.type) && quote(outer.type)) problems.push(`${what}: nested quotes`)
      else if ((continuous(inner.type) || quote(inner.type)) && continuous(outer.type)) {
        problems.push(`${what}: inside a link`)
      } else if (inner.type === outer.type) problems.push(`${what}: same type nested`)
    }
  }
  return problems
}
