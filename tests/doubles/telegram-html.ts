/** One formatting entity, as the Bot API reports it (offsets in UTF-16 code units). */
export interface TelegramEntity {
  readonly type: string
  readonly offset: number
  readonly length: number
  readonly url?: string
  readonly language?: string
}

export type ParsedHtml =
  | { readonly ok: true; readonly text: string; readonly entities: TelegramEntity[] }
  | { readonly ok: false; readonly description: string }

const TYPES: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  span: 'spoiler',
  'tg-spoiler': 'spoiler',
  a: 'text_link',
  'tg-emoji': 'custom_emoji',
  'tg-time': 'date_time',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' }

const fail = (description: string): ParsedHtml => ({
  ok: false,
  description: `Bad Request: can't parse entities: ${description}`,
})

/**
 * A strict checker of Telegram's HTML parse mode: only the documented tags, balanced, with
 * the required attributes; `<` that does not start a tag is an error like on the real server.
 * Returns the visible text and entities, or the Bot API's error description.
 */
export function parseTelegramHtml(html: string): ParsedHtml {
  let text = ''
  const entities: TelegramEntity[] = []
  const stack: { name: string; offset: number; attrs: string }[] = []
  let i = 0
  const byteOffset = () => Buffer.byteLength(html.slice(0, i))
  while (i < html.length) {
    const ch = html[i] as string
    if (ch === '<') {
      const tag = /^<(\/?)([a-zA-Z][\w-]*)((?:\s+[^<>]*)?)\s*>/.exec(html.slice(i))
      if (!tag) return fail(`Unsupported start tag "" at byte offset ${byteOffset()}`)
      const [whole, slash, rawName, attrs = ''] = tag
      const name = (rawName ?? '').toLowerCase()
      const type = TYPES[name]
      if (slash) {
        const top = stack.pop()
        if (!top || top.name !== name) {
          return fail(
            `Unmatched end tag at byte offset ${byteOffset()}, expected "</${top?.name ?? ''}>", found "</${name}>"`,
          )
        }
        const entity = toEntity(top, text.length - top.offset)
        if (entity) entities.push(entity)
      } else {
        if (type === undefined) {
          return fail(`Unsupported start tag "${name}" at byte offset ${byteOffset()}`)
        }
        if (name === 'a' && !/\bhref\s*=\s*"[^"]*"/.test(attrs)) {
          return fail(`Tag "a" must have attribute "href" at byte offset ${byteOffset()}`)
        }
        if (name === 'span' && !/class\s*=\s*"tg-spoiler"/.test(attrs)) {
          return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset()}`)
        }
        stack.push({ name, offset: text.length, attrs })
      }
      i += whole.length
      continue
    }
    if (ch === '&') {
      const entity = /^&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);/.exec(html.slice(i))
      if (entity) {
        const body = entity[1] as string
        const decoded = body.startsWith('#x')
          ? String.fromCodePoint(Number.parseInt(body.slice(2), 16))
          : body.startsWith('#')
            ? String.fromCodePoint(Number.parseInt(body.slice(1), 10))
            : NAMED[body.toLowerCase()]
        if (decoded !== undefined) {
          text += decoded
          i += entity[0].length
          continue
        }
      }
    }
    text += ch
    i++
  }
  const open = stack.pop()
  if (open) return fail(`Can't find end tag corresponding to start tag "${open.name}"`)
  return { ok: true, text, entities: entities.sort((a, b) => a.offset - b.offset) }
}

function toEntity(
  tag: { name: string; offset: number; attrs: string },
  length: number,
): TelegramEntity | undefined {
  if (length === 0) return undefined
  const type = TYPES[tag.name] ?? 'unknown'
  if (tag.name === 'a') {
    const url = /href\s*=\s*"([^"]*)"/.exec(tag.attrs)?.[1] ?? ''
    return { type, offset: tag.offset, length, url: url.replaceAll('&amp;', '&') }
  }
  if (tag.name === 'code') {
    const language = /class\s*=\s*"language-([^"]+)"/.exec(tag.attrs)?.[1]
    if (language) return { type: 'pre', offset: tag.offset, length, language }
  }
  return { type, offset: tag.offset, length }
}
