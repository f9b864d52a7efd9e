import type { Generated } from 'kysely'

// Row types: conversations, their messages, per-chat settings and per-account usage.
// Times are epoch milliseconds; booleans are 0/1. The `Database` map is in `../database.ts`.

export interface ConversationTable {
  id: string
  scope_key: string
  kind: string
  persona_id: string
  summary: string | null
  summary_up_to: number | null
  created_at: number
  updated_at: number
}

export interface MessageTable {
  id: Generated<number>
  conversation_id: string
  role: string
  account_id: string | null
  speaker_name: string | null
  content: string
  prompt_tokens: number | null
  completion_tokens: number | null
  status: string
  model: string | null
  created_at: number
}

export interface ChatSettingsTable {
  scope_key: string
  persona_id: string | null
  answer_all: number
  adult_enabled: number
  allowed_personas: string | null
  /** `/model` choice for the chat; null = the persona's model. */
  model: string | null
  updated_at: number
}

export interface UsageDailyTable {
  account_id: string
  day: string
  messages: number
  prompt_tokens: number
  completion_tokens: number
}
