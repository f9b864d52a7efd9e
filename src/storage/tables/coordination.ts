import type { Generated } from 'kysely'

// Row types: replicas, leases, the inbox, Discord channel activity and the shared GPU queue.
// Times are epoch milliseconds; booleans are 0/1. The `Database` map is in `../database.ts`.

/** One running process (see `src/coordination`). */
export interface ReplicaTable {
  id: string
  host: string
  pid: number
  version: string
  started_at: number
  heartbeat_at: number
  draining: number
}

/** A named piece of work with one holder at a time until `expires_at`. */
export interface LeaseTable {
  name: string
  holder: string
  expires_at: number
  acquired_at: number
  /** Grows by one each time the lease changes hands (a fencing token). */
  generation: number
}

/** A Discord channel where the bot was addressed lately (see `src/coordination/channel-activity.ts`). */
export interface DiscordChannelActivityTable {
  channel_id: string
  /** `<shard id>/<shard count>`: the gateway shard its events arrive on. */
  shard_key: string
  /** The newest message addressed to the bot seen there. */
  last_message_id: string
  active_at: number
}

/** An arrived message or update, until handled (see `src/coordination/inbox.ts`). */
export interface InboxTable {
  id: string
  platform: string
  chat_key: string
  seq: number
  /** The platform's update or message reference; emptied once handled. */
  payload: string
  /** `pending`, `claimed` (until `claim_expires_at`) or `done`. */
  state: string
  claimed_by: string | null
  claim_expires_at: number | null
  attempts: Generated<number>
  /** Set once a reply was sent for it (the platform message it can be continued in). */
  reply_ref: string | null
  received_at: number
  finished_at: number | null
}

/** A generation waiting for, or holding, a slot on an Ollama host (the shared GPU queue). */
export interface GpuTicketTable {
  id: Generated<number>
  host: string
  person: string
  /** Higher first: tier, retry, minus the person's round. */
  priority: number
  replica: string
  state: 'waiting' | 'running'
  enqueued_at: number
  lease_expires_at: number
}

/** The slot count all replicas use for one Ollama host, and its tickets by state. */
export interface GpuHostTable {
  host: string
  concurrency: number
  running: Generated<number>
  waiting: Generated<number>
  updated_at: number
}
