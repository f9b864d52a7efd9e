import type { ModelOptions } from './ports/llm.js'
import type { PersonaSummary, Tier } from './types.js'

export interface LoreEntry {
  readonly keys: readonly string[]
  readonly secondaryKeys: readonly string[]
  /** When true, an entry needs a key from both lists. */
  readonly selective: boolean
  readonly content: string
  readonly constant: boolean
  readonly enabled: boolean
  /** Lower is inserted higher. */
  readonly insertionOrder: number
  readonly caseSensitive: boolean
  /** Lower value is discarded first when over budget. */
  readonly priority: number
  readonly name?: string | undefined
  readonly useRegex: boolean
}

/** A persona, normalised from our YAML format or a Character Card V1/V2/V3. */
export interface Persona {
  /** From the file name (without extension). */
  readonly id: string
  readonly name: string
  /** V3 `nickname`: what `{{char}}` resolves to when set. */
  readonly nickname?: string | undefined
  readonly description: string
  readonly personality: string
  readonly scenario: string
  readonly greeting: string
  readonly alternateGreetings: readonly string[]
  /** Raw `mes_example` text (blocks separated by `<START>`). */
  readonly exampleDialogues: string
  readonly systemPrompt: string
  readonly postHistoryInstructions: string
  readonly creatorNotes: string
  readonly lore: readonly LoreEntry[]
  /** Only the last N messages are scanned for lore keys. */
  readonly loreScanDepth: number
  /** Token budget for activated lore. */
  readonly loreTokenBudget: number
  /** Ollama model; falls back to OLLAMA_MODEL when unset. */
  readonly model?: string | undefined
  readonly fallbackModel?: string | undefined
  /** Answers turns with pictures when `model` cannot see (card/YAML `vision_model`). */
  readonly visionModel?: string | undefined
  readonly options: ModelOptions
  /** Ollama `think`; false unless the persona asks. */
  readonly think: boolean
  readonly tier: Tier
  readonly nsfw: boolean
  /**
   * Whether `/persona export` may hand out the card (YAML `exportable`, card
   * `data.extensions.justlayme.exportable`); default true.
   */
  readonly exportable: boolean
  readonly avatarUrl?: string | undefined
  readonly tags: readonly string[]
  /** Where it was loaded from, for messages and export. */
  readonly sourceFile: string
  /** The original card (or YAML document) with unknown fields, so export loses nothing. */
  readonly raw: Readonly<Record<string, unknown>>
}

export function summarizePersona(p: Persona): PersonaSummary {
  return { id: p.id, name: p.name, avatarUrl: p.avatarUrl, tier: p.tier, nsfw: p.nsfw }
}

/** The loaded personas. Implementations load `PERSONAS_DIR` and reload on change. */
export interface PersonaRepository {
  list(): readonly Persona[]
  get(id: string): Persona | undefined
  /** Finds by id or (case-insensitively) by name. */
  find(idOrName: string): Persona | undefined
  /** Re-reads every file; returns what loaded and what was skipped with reasons. */
  reload(): Promise<{ loaded: number; errors: readonly { file: string; message: string }[] }>
  /** A Character Card V3 JSON object for the persona, lossless for imported cards. */
  exportCard(id: string): Record<string, unknown> | undefined
  /**
   * The card as a PNG with `ccv3` (V3) and `chara` (V2 backfill) text chunks; the picture is the
   * persona's own when it was loaded from a PNG. Optional: repositories without files omit it.
   */
  exportPng?(id: string): Promise<Uint8Array | undefined>
}
