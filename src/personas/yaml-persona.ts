import type { DetectedCard } from './card-formats.js'
import { DEFAULT_INSERTION_ORDER, EXTENSION_KEY } from './card-to-persona.js'
import { FieldReader, isObject, type JsonObject, join, PersonaFieldError } from './fields.js'

/**
 * Our readable persona format (`*.yaml`/`*.yml`). Every field but `name` is optional:
 *
 * ```yaml
 * name: Mara Quill                    # required
 * nickname: Mara                      # what {{char}} becomes, when set
 * description: |                      # prompt-bound fields take {{char}} / {{user}}
 *   ...
 * personality: ...
 * scenario: ...
 * greeting: ...                       # the first message of a new conversation
 * alternate_greetings: [..., ...]
 * examples:                           # or one string in card form (<START>, {{user}}:, {{char}}:)
 *   - - user: How do I ...?
 *     - char: ...
 * system_prompt: "{{original}} ..."   # {{original}} = our default system prompt
 * post_history_instructions: ...
 * creator_notes: ...                  # shown to people, never sent to the model
 * tags: [cooking]
 * lorebook:                           # or directly a list of entries
 *   scan_depth: 3
 *   token_budget: 400
 *   entries:
 *     - name: kitchen
 *       keys: [kitchen, stove]        # card entry fields: secondary_keys, selective, constant,
 *       content: ...                  # case_sensitive, use_regex, insertion_order, priority, enabled
 * model: llama3.2                     # our settings (in cards: data.extensions.justlayme)
 * fallback_model: qwen2.5:3b
 * vision_model: gemma3                # answers turns with pictures when `model` cannot see
 * options: { temperature: 0.8, top_p: 0.9, repeat_penalty: 1.1, num_ctx: 8192 }
 * think: false
 * tier: free                          # or premium
 * nsfw: false
 * exportable: true                    # false: /persona export refuses this persona
 * avatar_url: https://example.com/mara.png
 * ```
 * Other keys are kept and exported as card `data` fields.
 */

/** YAML keys that become our settings under `data.extensions.justlayme`. */
const SETTINGS = [
  'model',
  'fallback_model',
  'vision_model',
  'options',
  'think',
  'tier',
  'nsfw',
  'exportable',
  'avatar_url',
]

/** YAML keys renamed or reshaped on the way to card `data`. */
const RENAMED = new Set(['greeting', 'examples', 'lorebook', 'extensions', ...SETTINGS])

/**
 * Converts a parsed YAML persona to a Character Card V3. Throws {@link PersonaFieldError}
 * naming the YAML field at fault; settings and lore fields are checked afterwards by
 * `cardToPersona` with the YAML paths returned here.
 */
export function yamlToCard(doc: unknown): DetectedCard {
  if (!isObject(doc))
    throw new PersonaFieldError('', 'the file must be a YAML mapping (key: value)')
  const yaml = new FieldReader(doc, '')
  const data: JsonObject = {}
  for (const [key, value] of Object.entries(doc)) {
    if (!RENAMED.has(key)) data[key] = value
  }
  data.first_mes = yaml.string('greeting')
  data.mes_example = examplesToText(doc.examples)

  const settings: JsonObject = {}
  for (const key of SETTINGS) if (doc[key] !== undefined) settings[key] = doc[key]
  const extensions = yaml.object('extensions')?.obj ?? {}
  data.extensions = { ...extensions, [EXTENSION_KEY]: { ...settings } }

  let entriesPath = 'lorebook.entries'
  if (doc.lorebook !== undefined && doc.lorebook !== null) {
    const asList = Array.isArray(doc.lorebook)
    if (!asList && !isObject(doc.lorebook)) {
      throw new PersonaFieldError('lorebook', 'must be a list of entries or an object with entries')
    }
    const book: JsonObject = asList
      ? { entries: doc.lorebook }
      : { ...(doc.lorebook as JsonObject) }
    if (asList) entriesPath = 'lorebook'
    if (Array.isArray(book.entries)) book.entries = book.entries.map(completeEntry)
    book.extensions ??= {}
    data.character_book = book
  }

  return {
    format: 'yaml',
    card: { spec: 'chara_card_v3', spec_version: '3.0', data },
    paths: { data: '', book: 'lorebook', entries: entriesPath, settings: '' },
  }
}

/** Fills the fields a V3 lore entry must have, so the exported card is valid. */
function completeEntry(entry: unknown, index: number): unknown {
  if (!isObject(entry)) return entry
  return {
    ...entry,
    extensions: entry.extensions ?? {},
    enabled: entry.enabled ?? true,
    insertion_order: entry.insertion_order ?? DEFAULT_INSERTION_ORDER + index,
    keys: entry.keys ?? [],
  }
}

function examplesToText(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value.replace(/\r/g, '')
  if (!Array.isArray(value)) {
    throw new PersonaFieldError('examples', 'must be a list of dialogues or a string')
  }
  return value
    .map((dialogue, i) => {
      const path = join('examples', i)
      if (!Array.isArray(dialogue)) {
        throw new PersonaFieldError(
          path,
          'must be a list of turns like "- user: ..." / "- char: ..."',
        )
      }
      const lines = dialogue.map((turn, j) => {
        const keys = isObject(turn) ? Object.keys(turn) : []
        const speaker = keys[0]
        const text = isObject(turn) && speaker !== undefined ? turn[speaker] : undefined
        if (
          keys.length !== 1 ||
          (speaker !== 'user' && speaker !== 'char') ||
          typeof text !== 'string'
        ) {
          throw new PersonaFieldError(join(path, j), 'must be one "user: text" or "char: text"')
        }
        return `{{${speaker}}}: ${text.replace(/\r/g, '').trim()}`
      })
      return `<START>\n${lines.join('\n')}`
    })
    .join('\n')
}
