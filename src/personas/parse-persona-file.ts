import { extname } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { Persona } from '../core/persona.js'
import { cardJsonFromPng } from './card-export.js'
import { type CardFormat, type DetectedCard, detectCard } from './card-formats.js'
import { type CharacterCardV3, cardToPersona } from './card-to-persona.js'
import { isObject, PersonaFieldError } from './fields.js'
import { PngFormatError } from './png-chunks.js'
import { yamlToCard } from './yaml-persona.js'

/** File name endings the repository loads (case-insensitive). */
export const PERSONA_FILE_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json', '.png']

export type PersonaFileResult =
  | {
      readonly ok: true
      readonly persona: Persona
      /** The persona as a V3 card, everything from the file kept (what export starts from). */
      readonly card: CharacterCardV3
      readonly format: CardFormat
    }
  | {
      readonly ok: false
      /** The field at fault (`data.alternate_greetings`), or '' when the whole file is. */
      readonly field: string
      /** What is wrong, naming the field: `data.alternate_greetings must be an array of strings`. */
      readonly message: string
    }

/** True when the repository loads files with this name. */
export function isPersonaFile(fileName: string): boolean {
  return (
    !fileName.startsWith('.') && PERSONA_FILE_EXTENSIONS.includes(extname(fileName).toLowerCase())
  )
}

/** The persona id for a file: the name without extension, lower-cased, limited to `[a-z0-9_-]`. */
export function personaIdFromFile(fileName: string): string {
  return fileName
    .slice(0, fileName.length - extname(fileName).length)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
}

/**
 * Parses one persona file's bytes (`.yaml`/`.yml`, card `.json` V1/V2/V3, card `.png` with a
 * `ccv3` or `chara` chunk) into a persona. Never throws: a broken file is an `ok: false` result
 * naming the field at fault.
 */
export function parsePersonaFile(
  fileName: string,
  bytes: Uint8Array,
  options: { readonly defaultModel?: string | undefined } = {},
): PersonaFileResult {
  try {
    const id = personaIdFromFile(fileName)
    if (id === '') throw new PersonaFieldError('', 'the file name gives an empty persona id')
    const raw = readDocument(fileName, bytes)
    const detected: DetectedCard =
      extname(fileName).toLowerCase() === '.yaml' || extname(fileName).toLowerCase() === '.yml'
        ? yamlToCard(raw)
        : detectCard(raw)
    const persona = cardToPersona(detected.card, {
      id,
      sourceFile: fileName,
      raw: isObject(raw) ? raw : {},
      defaultModel: options.defaultModel,
      paths: detected.paths,
    })
    return { ok: true, persona, card: detected.card, format: detected.format }
  } catch (err) {
    if (err instanceof PersonaFieldError)
      return { ok: false, field: err.field, message: err.message }
    if (err instanceof PngFormatError) return { ok: false, field: '', message: err.message }
    return { ok: false, field: '', message: err instanceof Error ? err.message : String(err) }
  }
}

function readDocument(fileName: string, bytes: Uint8Array): unknown {
  const ext = extname(fileName).toLowerCase()
  if (ext === '.png') return cardJsonFromPng(bytes)
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
  if (ext === '.json') {
    try {
      return JSON.parse(text)
    } catch (err) {
      throw new PersonaFieldError('', `the file is not valid JSON (${(err as Error).message})`)
    }
  }
  try {
    return parseYaml(text, { maxAliasCount: 100 })
  } catch (err) {
    throw new PersonaFieldError(
      '',
      `the file is not valid YAML (${(err as Error).message.split('\n')[0]})`,
    )
  }
}
