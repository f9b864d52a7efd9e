import type { Persona } from '../core/persona.js'
import { type CharacterCardV3, EXTENSION_KEY } from './card-to-persona.js'
import { isObject, type JsonObject, PersonaFieldError } from './fields.js'
import { blankPng, pngTextChunks, withTextChunks } from './png-chunks.js'

/** `data` fields every exported V3 card has, with the value used when the source had none. */
const REQUIRED_DATA: ReadonlyArray<readonly [string, () => unknown]> = [
  ['name', () => ''],
  ['description', () => ''],
  ['personality', () => ''],
  ['scenario', () => ''],
  ['first_mes', () => ''],
  ['mes_example', () => ''],
  ['creator_notes', () => ''],
  ['system_prompt', () => ''],
  ['post_history_instructions', () => ''],
  ['alternate_greetings', () => []],
  ['tags', () => []],
  ['creator', () => ''],
  ['character_version', () => ''],
  ['extensions', () => ({})],
  ['group_only_greetings', () => []],
]

/**
 * A valid Character Card V3 for a loaded persona: the card as imported (every unknown field,
 * extension and lorebook field kept), the required V2/V3 fields filled in where absent, and our
 * settings (`tier`, `nsfw`, `think`, plus `model`, `options`... where the source set them) under
 * `data.extensions.justlayme`. Returns a fresh object the caller may change.
 */
export function exportCardV3(card: CharacterCardV3, persona: Persona): CharacterCardV3 {
  const copy = structuredClone(card) as JsonObject
  const data = (isObject(copy.data) ? copy.data : {}) as JsonObject
  for (const [key, fallback] of REQUIRED_DATA) {
    if (data[key] === undefined || data[key] === null) data[key] = fallback()
  }
  const extensions = isObject(data.extensions) ? data.extensions : {}
  const ours = isObject(extensions[EXTENSION_KEY]) ? extensions[EXTENSION_KEY] : {}
  data.extensions = {
    ...extensions,
    [EXTENSION_KEY]: { ...ours, tier: persona.tier, nsfw: persona.nsfw, think: persona.think },
  }
  return { ...copy, spec: 'chara_card_v3', spec_version: '3.0', data }
}

/**
 * The V2 backfill of a V3 card (for the PNG `chara` chunk read by V2-only apps): relabelled
 * `chara_card_v2`/`2.0`, lorebook decorators (`@@` lines) removed; V3-only fields stay, since
 * V2 readers ignore unknown fields.
 */
export function toV2Card(card: CharacterCardV3): JsonObject {
  const data = structuredClone(card.data)
  const book = data.character_book
  if (isObject(book) && Array.isArray(book.entries)) {
    book.entries = book.entries.map((entry: unknown) =>
      isObject(entry) && typeof entry.content === 'string'
        ? { ...entry, content: stripDecorators(entry.content) }
        : entry,
    )
  }
  return { ...structuredClone(card), spec: 'chara_card_v2', spec_version: '2.0', data }
}

function stripDecorators(content: string): string {
  const lines = content.split('\n')
  let i = 0
  while (i < lines.length && lines[i]?.startsWith('@@')) i++
  return lines.slice(i).join('\n')
}

function toBase64Json(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64')
}

/**
 * A PNG carrying the card: `ccv3` (the true V3 card) and `chara` (its V2 backfill), both
 * base64 UTF-8 JSON in `tEXt` chunks. `image` is the picture to embed into (its old card chunks
 * are replaced); without one a 1×1 placeholder is used.
 */
export function cardToPng(card: CharacterCardV3, image?: Uint8Array): Buffer {
  return withTextChunks(image ?? blankPng(), {
    chara: toBase64Json(toV2Card(card)),
    ccv3: toBase64Json(card),
  })
}

/**
 * The card JSON embedded in a PNG: the `ccv3` chunk when present, else `chara` (keywords
 * matched case-insensitively; the value is base64 UTF-8 JSON, raw JSON is accepted too).
 * Throws {@link PersonaFieldError} (field `ccv3`/`chara`) when it is missing or unreadable, and
 * `PngFormatError` for a broken PNG.
 */
export function cardJsonFromPng(png: Uint8Array): unknown {
  const texts = pngTextChunks(png)
  for (const keyword of ['ccv3', 'chara']) {
    const text = texts.get(keyword)?.trim()
    if (text === undefined) continue
    const json = text.startsWith('{') ? text : Buffer.from(text, 'base64').toString('utf8')
    try {
      return JSON.parse(json)
    } catch (err) {
      throw new PersonaFieldError(
        keyword,
        `text chunk is not base64 JSON (${err instanceof Error ? err.message : String(err)})`,
      )
    }
  }
  throw new PersonaFieldError('', 'the PNG has no character card (no ccv3 or chara text chunk)')
}
