import type { Kysely, Selectable } from 'kysely'
import type { ChatSettingsStore } from '../core/ports/stores.js'
import type { ChatSettings } from '../core/types.js'
import type { ChatSettingsTable, Database } from './database.js'

const DEFAULTS: ChatSettings = {
  personaId: null,
  answerAll: false,
  adultEnabled: false,
  allowedPersonas: null,
}

/** `ChatSettingsStore` over `chat_settings`; a missing row means the defaults. */
export class SqlChatSettingsStore implements ChatSettingsStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async get(scopeKey: string): Promise<ChatSettings> {
    const row = await this.#db
      .selectFrom('chat_settings')
      .selectAll()
      .where('scope_key', '=', scopeKey)
      .executeTakeFirst()
    return row ? toChatSettings(row) : DEFAULTS
  }

  /** One upsert that writes only the patched columns, so concurrent patches of different fields both land. */
  async update(scopeKey: string, patch: Partial<ChatSettings>, now: number): Promise<ChatSettings> {
    const columns = toColumns(patch)
    const row = await this.#db
      .insertInto('chat_settings')
      .values({
        scope_key: scopeKey,
        persona_id: null,
        answer_all: 0,
        adult_enabled: 0,
        allowed_personas: null,
        model: null,
        ...columns,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('scope_key').doUpdateSet({ ...columns, updated_at: now }))
      .returningAll()
      .executeTakeFirstOrThrow()
    return toChatSettings(row)
  }
}

function toColumns(patch: Partial<ChatSettings>) {
  const columns: Partial<Omit<ChatSettingsTable, 'scope_key' | 'updated_at'>> = {}
  if (patch.personaId !== undefined) columns.persona_id = patch.personaId
  if (patch.answerAll !== undefined) columns.answer_all = patch.answerAll ? 1 : 0
  if (patch.adultEnabled !== undefined) columns.adult_enabled = patch.adultEnabled ? 1 : 0
  if (patch.allowedPersonas !== undefined) {
    columns.allowed_personas =
      patch.allowedPersonas === null ? null : JSON.stringify(patch.allowedPersonas)
  }
  if (patch.model !== undefined) columns.model = patch.model
  return columns
}

function toChatSettings(row: Selectable<ChatSettingsTable>): ChatSettings {
  return {
    personaId: row.persona_id,
    answerAll: Number(row.answer_all) === 1,
    adultEnabled: Number(row.adult_enabled) === 1,
    allowedPersonas: parseList(row.allowed_personas),
    // Absent rather than null when unset, so settings written before /model compare equal.
    ...(row.model ? { model: row.model } : {}),
  }
}

function parseList(text: string | null): readonly string[] | null {
  if (text === null) return null
  try {
    const value: unknown = JSON.parse(text)
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null
  } catch {
    return null
  }
}
