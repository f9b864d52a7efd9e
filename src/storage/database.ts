import type { ColumnType, Generated } from 'kysely'

/** Row types; they never leave `src/storage`. Times are epoch milliseconds; booleans are 0/1. */
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

export interface SubscriptionTable {
  account_id: string
  stripe_customer_id: string | null
  stripe_subscription_id: string | null
  status: string | null
  price_id: string | null
  current_period_end: number | null
  cancel_at_period_end: number
  past_due_since: number | null
  last_event_created: number | null
  comp_until: number | null
  updated_at: number
}

export interface StripeEventTable {
  id: string
  type: string
  created: number
  processed_at: number
}

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

export interface KvTable {
  key: string
  value: string
  created_at: number
}

export interface StarsSubscriptionTable {
  account_id: string
  telegram_user_id: string
  charge_id: string
  expires_at: number
  renewal_canceled: number
  updated_at: number
}

export interface StarsPaymentTable {
  charge_id: string
  account_id: string
  telegram_user_id: string
  amount: number
  kind: string
  expires_at: number
  created_at: number
  refunded_at: number | null
}

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

export interface AccountBlockTable {
  account_id: string
  blocked_by: string
  blocked_at: number
  refused_at: number | null
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

export interface Database {
  account: AccountTable
  identity: IdentityTable
  conversation: ConversationTable
  message: MessageTable
  chat_settings: ChatSettingsTable
  usage_daily: UsageDailyTable
  subscription: SubscriptionTable
  stripe_event: StripeEventTable
  email_token: EmailTokenTable
  email_outbox: EmailOutboxTable
  kv: KvTable
  account_redirect: AccountRedirectTable
  merge_request: MergeRequestTable
  stars_subscription: StarsSubscriptionTable
  stars_payment: StarsPaymentTable
  replica: ReplicaTable
  lease: LeaseTable
  inbox: InboxTable
  console_session: ConsoleSessionTable
  audit_log: AuditLogTable
  account_block: AccountBlockTable
  usage_rollup: UsageRollupTable
  active_daily: ActiveDailyTable
  premium_daily: PremiumDailyTable
  revenue_daily: RevenueDailyTable
  gpu_ticket: GpuTicketTable
  gpu_host: GpuHostTable
  discord_channel_activity: DiscordChannelActivityTable
}
