import { CARD_PATHS, type CardPaths, type CharacterCardV3, V1_PATHS } from './card-to-persona.js'
import { isObject, type JsonObject, PersonaFieldError } from './fields.js'

export type CardFormat = 'v1' | 'v2' | 'v3' | 'yaml'

export interface DetectedCard {
  readonly format: CardFormat
  /** The card in V3 shape: V2 relabelled, V1 fields moved under `data`; nothing dropped. */
  readonly card: CharacterCardV3
  readonly paths: CardPaths
}

/** V1 card fields (flat at the top level). */
const V1_FIELDS = ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example']

/** The old Pygmalion/Gradio field names, mapped to V1 names. */
const PYGMALION_FIELDS: Readonly<Record<string, string>> = {
  char_name: 'name',
  char_persona: 'description',
  char_greeting: 'first_mes',
  world_scenario: 'scenario',
  example_dialogue: 'mes_example',
}

/**
 * Recognises a parsed card JSON as V3 (`spec: chara_card_v3`), V2 (`spec: chara_card_v2`, or a
 * spec-less object with a `data` object) or V1 (flat; also the old Pygmalion field names) and
 * returns it in V3 shape. Throws {@link PersonaFieldError} for what is not a character card.
 */
export function detectCard(value: unknown): DetectedCard {
  if (!isObject(value)) throw new PersonaFieldError('', 'the card must be a JSON object')
  const spec = value.spec
  if (
    spec === 'chara_card_v3' ||
    spec === 'chara_card_v2' ||
    (spec === undefined && 'data' in value)
  ) {
    if (!isObject(value.data)) throw new PersonaFieldError('data', 'must be an object')
    const format = spec === 'chara_card_v3' ? 'v3' : 'v2'
    return {
      format,
      card: { ...value, spec: 'chara_card_v3', spec_version: v3Version(value), data: value.data },
      paths: CARD_PATHS,
    }
  }
  if (spec !== undefined) {
    throw new PersonaFieldError(
      'spec',
      `must be 'chara_card_v2' or 'chara_card_v3' (got ${JSON.stringify(spec).slice(0, 40)})`,
    )
  }
  return { format: 'v1', card: v1ToV3(value), paths: V1_PATHS }
}

function v3Version(card: JsonObject): string {
  // A newer 3.x (or later) version is imported as is: unknown fields are kept anyway.
  if (card.spec === 'chara_card_v3' && typeof card.spec_version === 'string') {
    const version = Number.parseFloat(card.spec_version)
    if (Number.isFinite(version) && version >= 3) return card.spec_version
  }
  return '3.0'
}

function v1ToV3(flat: JsonObject): CharacterCardV3 {
  const data: JsonObject = {}
  const rest: JsonObject = {}
  for (const [key, value] of Object.entries(flat)) {
    const v1 = PYGMALION_FIELDS[key]
    if (v1 !== undefined && flat[v1] === undefined) data[v1] = value
    else if (V1_FIELDS.includes(key)) data[key] = value
    else rest[key] = value
  }
  // Fields the V1 card did not know live in `data` too, when a tool wrote them flat.
  for (const key of [
    'alternate_greetings',
    'tags',
    'creator_notes',
    'system_prompt',
    'post_history_instructions',
    'character_book',
    'extensions',
  ]) {
    if (rest[key] !== undefined) {
      data[key] = rest[key]
      delete rest[key]
    }
  }
  return { ...rest, spec: 'chara_card_v3', spec_version: '3.0', data }
}
