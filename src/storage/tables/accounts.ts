import type { ColumnType } from 'kysely'

// Row types: accounts, their platform identities, merges and blocks.
// Times are epoch milliseconds; booleans are 0/1. The `Database` map is in `../database.ts`.

export interface AccountTable {
  id: string
  email: string | null
  email_verified_at: number | null
  adult_confirmed_at: number | null
  created_at: number
  last_seen_at: number
}

export interface IdentityTable {
  platform: string
  platform_user_id: string
  account_id: string
  display_name: string
  /** Unique platform handle (Telegram `@name`, Discord username); null when unknown. */
  handle: ColumnType<string | null, string | null | undefined, string | null>
  created_at: number
}

export interface AccountRedirectTable {
  from_account_id: string
  to_account_id: string
  merged_at: number
}

export interface MergeRequestTable {
  token_hash: string
  from_account_id: string
  into_account_id: string
  email: string
  created_at: number
  expires_at: number
  decided_at: number | null
  decision: string | null
}

export interface AccountBlockTable {
  account_id: string
  blocked_by: string
  blocked_at: number
  refused_at: number | null
}
