import type { LoreEntry, Persona } from '../core/persona.js'
import type { ModelOptions } from '../core/ports/llm.js'
import { FieldReader, isObject, type JsonObject, join, PersonaFieldError } from './fields.js'

/** A Character Card V3 as we keep it: `data` plus whatever else the file had. */
export interface CharacterCardV3 {
  readonly spec: 'chara_card_v3'
  readonly spec_version: string
  readonly data: JsonObject
  readonly [key: string]: unknown
}

/** Names are shown in lists, headers and Discord webhook names; a novel there is a mistake. */
const MAX_NAME_LENGTH = 100

/** Our namespace under `data.extensions`. */
export const EXTENSION_KEY = 'justlayme'

/** Lore entries are scanned in this many recent messages unless the book says otherwise. */
export const DEFAULT_LORE_SCAN_DEPTH = 3
/** Token budget for activated lore unless the book says otherwise. */
export const DEFAULT_LORE_TOKEN_BUDGET = 512
/** Insertion order of an entry that has none (SillyTavern's default). */
export const DEFAULT_INSERTION_ORDER = 100
/** Priority of an entry that has none. */
export const DEFAULT_LORE_PRIORITY = 10

/** Where each part sits in the source file, so errors name the field as the author wrote it. */
export interface CardPaths {
  /** `data` for V2/V3, '' for V1 and our YAML. */
  readonly data: string
  /** Path of the lorebook object (`data.character_book`, `lorebook`). */
  readonly book: string
  /** Path of the entries list (`data.character_book.entries`, `lorebook.entries`, `lorebook`). */
  readonly entries: string
  /** Path of our settings object (`data.extensions.justlayme`, or '' for YAML). */
  readonly settings: string
}

export const CARD_PATHS: CardPaths = {
  data: 'data',
  book: 'data.character_book',
  entries: 'data.character_book.entries',
  settings: `data.extensions.${EXTENSION_KEY}`,
}

export const V1_PATHS: CardPaths = {
  data: '',
  book: 'character_book',
  entries: 'character_book.entries',
  settings: `extensions.${EXTENSION_KEY}`,
}

export interface CardToPersonaOptions {
  readonly id: string
  readonly sourceFile: string
  /** The document as read (kept on the persona for reference). */
  readonly raw: JsonObject
  /** Model used when the card names none. */
  readonly defaultModel?: string | undefined
  readonly paths: CardPaths
}

/**
 * Normalises a card's `data` into a {@link Persona}. Lenient on absent fields, strict on
 * types: throws {@link PersonaFieldError} naming the field at fault.
 */
export function cardToPersona(card: CharacterCardV3, opts: CardToPersonaOptions): Persona {
  const data = new FieldReader(card.data, opts.paths.data)
  const extensions = data.object('extensions')
  const settingsValue = extensions?.obj[EXTENSION_KEY]
  if (settingsValue !== undefined && settingsValue !== null && !isObject(settingsValue)) {
    throw new PersonaFieldError(opts.paths.settings, 'must be an object')
  }
  const settings = new FieldReader(settingsValue ?? {}, opts.paths.settings)
  const tags = data.strings('tags')
  const book = readBook(data.obj.character_book, opts.paths)

  return {
    id: opts.id,
    name: data.requiredString('name', MAX_NAME_LENGTH),
    nickname: data.optionalString('nickname', MAX_NAME_LENGTH),
    description: data.string('description'),
    personality: data.string('personality'),
    scenario: data.string('scenario'),
    greeting: data.string('first_mes'),
    alternateGreetings: data.strings('alternate_greetings'),
    exampleDialogues: data.string('mes_example'),
    systemPrompt: data.string('system_prompt'),
    postHistoryInstructions: data.string('post_history_instructions'),
    creatorNotes: data.string('creator_notes'),
    lore: book.entries,
    loreScanDepth: book.scanDepth,
    loreTokenBudget: book.tokenBudget,
    model: settings.optionalString('model') ?? opts.defaultModel,
    fallbackModel: settings.optionalString('fallback_model'),
    visionModel: settings.optionalString('vision_model'),
    options: readModelOptions(settings),
    think: settings.boolean('think', false),
    tier: settings.oneOf('tier', ['free', 'premium'] as const, 'free'),
    // A card tagged NSFW is treated as adult unless our settings say otherwise.
    nsfw: settings.boolean(
      'nsfw',
      tags.some((t) => t.trim().toLowerCase() === 'nsfw'),
    ),
    exportable: settings.boolean('exportable', true),
    avatarUrl: settings.optionalString('avatar_url') ?? iconUrl(card.data.assets),
    tags,
    sourceFile: opts.sourceFile,
    raw: opts.raw,
  }
}

function readBook(
  value: unknown,
  paths: CardPaths,
): { entries: LoreEntry[]; scanDepth: number; tokenBudget: number } {
  if (value === undefined || value === null) {
    return {
      entries: [],
      scanDepth: DEFAULT_LORE_SCAN_DEPTH,
      tokenBudget: DEFAULT_LORE_TOKEN_BUDGET,
    }
  }
  if (!isObject(value)) throw new PersonaFieldError(paths.book, 'must be an object')
  const book = new FieldReader(value, paths.book)
  const list = book.obj.entries
  if (list !== undefined && list !== null && !Array.isArray(list)) {
    throw new PersonaFieldError(paths.entries, 'must be an array')
  }
  const entries = ((list as unknown[] | undefined) ?? []).map((item, i) => {
    const path = join(paths.entries, i)
    if (!isObject(item)) throw new PersonaFieldError(path, 'must be an object')
    return readEntry(new FieldReader(item, path))
  })
  return {
    entries,
    scanDepth: Math.floor(book.number('scan_depth', DEFAULT_LORE_SCAN_DEPTH, 0)),
    tokenBudget: book.number('token_budget', DEFAULT_LORE_TOKEN_BUDGET, 0),
  }
}

function readEntry(e: FieldReader): LoreEntry {
  const ext = e.object('extensions')
  return {
    keys: e.strings('keys'),
    secondaryKeys: e.strings('secondary_keys'),
    selective: e.boolean('selective', false),
    content: e.string('content'),
    constant: e.boolean('constant', false),
    enabled: e.boolean('enabled', true),
    insertionOrder: e.number('insertion_order', DEFAULT_INSERTION_ORDER),
    // SillyTavern keeps case sensitivity in the entry's extensions.
    caseSensitive: e.boolean('case_sensitive', ext?.boolean('case_sensitive', false) ?? false),
    priority: e.number('priority', DEFAULT_LORE_PRIORITY),
    name: e.optionalString('name') ?? e.optionalString('comment'),
    useRegex: e.boolean('use_regex', false),
  }
}

/** Ollama options whose value must be a number. */
const NUMERIC_OPTIONS = new Set([
  'num_ctx',
  'num_predict',
  'num_keep',
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'typical_p',
  'repeat_penalty',
  'repeat_last_n',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'mirostat',
  'mirostat_tau',
  'mirostat_eta',
])

function readModelOptions(settings: FieldReader): ModelOptions {
  const options = settings.object('options')
  if (!options) return {}
  const out: Record<string, number | string | boolean | readonly string[]> = {}
  for (const [key, value] of Object.entries(options.obj)) {
    const field = options.field(key)
    if (NUMERIC_OPTIONS.has(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new PersonaFieldError(field, 'must be a number')
      }
      if (key === 'num_ctx' && (!Number.isInteger(value) || value < 1)) {
        throw new PersonaFieldError(field, 'must be a positive integer')
      }
      out[key] = value
    } else if (
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      out[key] = value
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      out[key] = value as string[]
    } else {
      throw new PersonaFieldError(field, 'must be a number, string, boolean or list of strings')
    }
  }
  return out
}

/** The V3 `icon` asset's URL when it is a web address we can show. */
function iconUrl(assets: unknown): string | undefined {
  if (!Array.isArray(assets)) return undefined
  const icons = assets.filter(
    (a): a is JsonObject =>
      isObject(a) && a.type === 'icon' && typeof a.uri === 'string' && /^https?:\/\//.test(a.uri),
  )
  const main = icons.find((a) => a.name === 'main') ?? icons[0]
  return main?.uri as string | undefined
}
