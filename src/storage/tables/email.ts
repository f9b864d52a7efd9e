import type { Generated } from 'kysely'

// Row types: email verification tokens and the outgoing email queue.
// Times are epoch milliseconds; booleans are 0/1. The `Database` map is in `../database.ts`.

export interface EmailTokenTable {
  token_hash: string
  account_id: string
  email: string
  expires_at: number
  used_at: number | null
  created_at: number
}

export interface EmailOutboxTable {
  id: Generated<number>
  kind: string
  to_address: string
  subject: string
  text_body: string
  html_body: string
  status: string
  attempts: number
  next_attempt_at: number
  last_error: string | null
  dedupe_key: string | null
  created_at: number
  sent_at: number | null
  /** The replica sending it now (PostgreSQL: several may poll the outbox). */
  claimed_by: string | null
  claim_expires_at: number | null
}
