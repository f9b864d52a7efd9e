import type {
  AccountBlockTable,
  AccountRedirectTable,
  AccountTable,
  IdentityTable,
  MergeRequestTable,
} from './tables/accounts.js'
import type {
  ActiveDailyTable,
  AuditLogTable,
  ConsoleSessionTable,
  KvTable,
  PremiumDailyTable,
  RevenueDailyTable,
  UsageRollupTable,
} from './tables/admin.js'
import type {
  StarsPaymentTable,
  StarsSubscriptionTable,
  StripeEventTable,
  SubscriptionTable,
} from './tables/billing.js'
import type {
  ChatSettingsTable,
  ConversationTable,
  MessageTable,
  UsageDailyTable,
} from './tables/chat.js'
import type {
  DiscordChannelActivityTable,
  GpuHostTable,
  GpuTicketTable,
  InboxTable,
  LeaseTable,
  ReplicaTable,
} from './tables/coordination.js'
import type { EmailOutboxTable, EmailTokenTable } from './tables/email.js'

export type {
  AccountBlockTable,
  AccountRedirectTable,
  AccountTable,
  IdentityTable,
  MergeRequestTable,
} from './tables/accounts.js'
export type {
  ActiveDailyTable,
  AuditLogTable,
  ConsoleSessionTable,
  KvTable,
  PremiumDailyTable,
  RevenueDailyTable,
  UsageRollupTable,
} from './tables/admin.js'
export type {
  StarsPaymentTable,
  StarsSubscriptionTable,
  StripeEventTable,
  SubscriptionTable,
} from './tables/billing.js'
export type {
  ChatSettingsTable,
  ConversationTable,
  MessageTable,
  UsageDailyTable,
} from './tables/chat.js'
export type {
  DiscordChannelActivityTable,
  GpuHostTable,
  GpuTicketTable,
  InboxTable,
  LeaseTable,
  ReplicaTable,
} from './tables/coordination.js'
export type { EmailOutboxTable, EmailTokenTable } from './tables/email.js'

/** The tables by name. Row types (in `./tables/*`) never leave `src/storage`; times are epoch ms, booleans 0/1. */
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
