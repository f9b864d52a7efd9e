import type { Generated } from 'kysely'

// Row types: the admin console (sessions, audit log), daily statistics and the key-value store.
// Times are epoch milliseconds; booleans are 0/1. The `Database` map is in `../database.ts`.

export interface ConsoleSessionTable {
  id_hash: string
  admin: string
  csrf_token: string
  created_at: number
  expires_at: number
}

export interface AuditLogTable {
  id: Generated<number>
  actor: string
  action: string
  target: string
  detail: string
  created_at: number
}

export interface UsageRollupTable {
  day: string
  platform: string
  persona_id: string
  messages: number
  prompt_tokens: number
  completion_tokens: number
}

export interface ActiveDailyTable {
  day: string
  platform: string
  account_id: string
}

export interface PremiumDailyTable {
  day: string
  members: number
}

export interface RevenueDailyTable {
  day: string
  source: string
  currency: string
  amount: number
  payments: number
}

export interface KvTable {
  key: string
  value: string
  created_at: number
}
