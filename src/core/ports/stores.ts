import type {
  Account,
  ChatKind,
  ChatSettings,
  Conversation,
  DailyUsage,
  Identity,
  MessageStatus,
  NewMessage,
  Platform,
  StoredMessage,
} from '../types.js'
import type { StarsReader } from './stars.js'
import type { SubscriptionReader } from './subscriptions.js'

/** Accounts and the platform identities that point at them. */
export interface AccountStore {
  /** Returns the account of this identity, creating both on first sight. */
  resolveIdentity(
    platform: Platform,
    platformUserId: string,
    displayName: string,
    now: number,
    /** The platform's unique handle; kept up to date when given. */
    handle?: string,
  ): Promise<{ account: Account; created: boolean }>
  get(accountId: string): Promise<Account | undefined>
  /**
   * The account that now holds `accountId`: itself while it exists, the survivor when it was
   * merged away (following the merge's redirect), undefined when it never existed.
   */
  survivorOf(accountId: string): Promise<string | undefined>
  findByEmail(email: string): Promise<Account | undefined>
  findIdentity(platform: Platform, platformUserId: string): Promise<Identity | undefined>
  identities(accountId: string): Promise<Identity[]>
  setEmailVerified(accountId: string, email: string, now: number): Promise<void>
  setAdultConfirmed(accountId: string, confirmed: boolean, now: number): Promise<void>
  /**
   * Moves everything of `fromAccountId` (identities, conversations and their messages,
   * persona choices, usage, subscription, tokens) onto `intoAccountId` and deletes the
   * emptied account. Call inside `Stores.transaction`.
   */
  merge(fromAccountId: string, intoAccountId: string, now: number): Promise<void>
  /** Counts for `/admin stats`. */
  stats(sinceMs: number): Promise<{ accounts: number; activeAccounts: number; messages: number }>
}

export interface MessagePatch {
  readonly content?: string
  readonly status?: MessageStatus
  readonly promptTokens?: number | null
  readonly completionTokens?: number | null
  readonly model?: string | null
}

export interface ConversationStore {
  /** Finds the conversation of a scope and persona, creating it when absent. */
  getOrCreate(
    scopeKey: string,
    personaId: string,
    kind: ChatKind,
    now: number,
  ): Promise<{ conversation: Conversation; created: boolean }>
  get(conversationId: string): Promise<Conversation | undefined>
  listByScope(scopeKey: string): Promise<Conversation[]>
  append(message: NewMessage): Promise<StoredMessage>
  update(messageId: number, patch: MessagePatch): Promise<void>
  deleteMessage(messageId: number): Promise<void>
  /** The newest `limit` messages with id < `beforeId` (if given), returned oldest first. */
  recent(conversationId: string, limit: number, beforeId?: number): Promise<StoredMessage[]>
  count(conversationId: string): Promise<number>
  setSummary(
    conversationId: string,
    summary: string | null,
    upToMessageId: number | null,
    now: number,
  ): Promise<void>
  /** Deletes the conversation's messages and summary but keeps the conversation. */
  clear(conversationId: string): Promise<void>
  /** Deletes every conversation of the scope with its messages. */
  deleteScope(scopeKey: string): Promise<number>
}

/** Where a message was used: the console's daily rollups count per platform and persona. */
export interface UsageWhere {
  readonly platform: Platform
  readonly personaId: string
}

export interface UsageStore {
  /**
   * Adds to the day's counters (UTC day `YYYY-MM-DD`) and returns the new totals. With `where`,
   * the console's daily rollups (per platform and persona, active people) grow in the same write.
   */
  add(
    accountId: string,
    day: string,
    delta: Partial<DailyUsage>,
    where?: UsageWhere,
  ): Promise<DailyUsage>
  get(accountId: string, day: string): Promise<DailyUsage>
}

export interface ChatSettingsStore {
  /** Settings of a scope (`account:<id>`, `<platform>:<chatId>`, `discord-guild:<id>`); defaults when unset. */
  get(scopeKey: string): Promise<ChatSettings>
  update(scopeKey: string, patch: Partial<ChatSettings>, now: number): Promise<ChatSettings>
}

/** A person blocked from the console: refused politely once, then ignored on every platform. */
export interface BlockedAccount {
  readonly accountId: string
  readonly blockedBy: string
  readonly blockedAt: number
}

export interface BlockStore {
  /** True when the account is blocked. */
  isBlocked(accountId: string): Promise<boolean>
  /** Claims the one polite refusal: true the first time after a block, false ever after. */
  claimRefusal(accountId: string, now: number): Promise<boolean>
  block(accountId: string, blockedBy: string, now: number): Promise<void>
  /** False when the account was not blocked. */
  unblock(accountId: string): Promise<boolean>
  list(): Promise<BlockedAccount[]>
}

/** One entry of the audit log: who did what to whom, and when. */
export interface AuditEntry {
  readonly actor: string
  readonly action: string
  readonly target: string
  readonly detail: string
  readonly createdAt: number
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>
  /** Newest first. */
  recent(limit: number): Promise<AuditEntry[]>
}

/** Small persistent values (the generated LINK_SECRET, single-use link ids...). */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
  /** Stores `value` unless the key exists; returns what is stored afterwards. */
  setIfAbsent(key: string, value: string): Promise<string>
  /** Atomically claims `key` once: true the first time, false ever after. */
  claim(key: string, now: number): Promise<boolean>
}

/** What `PersonalDataStore.erase` deleted. */
export interface ErasedData {
  /** DM conversations, with their messages and memory summaries. */
  readonly conversations: number
  /** The person's messages in group chats, and the replies that answered them. */
  readonly groupMessages: number
  /** Group chats whose memory summary was dropped because it may quote the person. */
  readonly groupSummaries: number
  /** Copies of emails to the person's address (outbox), sent or not. */
  readonly emails: number
  /** Email verification links of the account. */
  readonly emailLinks: number
}

/** One of the person's messages in a group chat, for `/export`. */
export interface GroupMessage {
  readonly chat: string
  readonly personaId: string
  readonly speakerName: string | null
  readonly content: string
  readonly createdAt: number
}

/** How `Stores.scrubDeleted` went (for the log). */
export interface ScrubReport {
  readonly dialect: 'sqlite' | 'postgres'
  /** Tables vacuumed (`*`: the whole SQLite file); empty when too large to vacuum online. */
  readonly vacuumed: readonly string[]
  /** SQLite: the WAL was checkpointed and truncated to zero bytes. */
  readonly walTruncated: boolean
}

/** Everything keyed to one person, across tables: for `/export` and `/forget`. */
export interface PersonalDataStore {
  /** Ids of the conversations holding the account's words: its DMs and the groups it spoke in. */
  conversationsOf(accountId: string): Promise<string[]>
  /** The account's own messages in group chats, oldest first. */
  groupMessages(accountId: string): Promise<GroupMessage[]>
  /**
   * Deletes the account's DM conversations (messages, summaries), its group messages and the
   * assistant replies that answered them (and those groups' summaries), the outbox copies of
   * mail to `email`, and the account's email links. Keeps the account, its identities,
   * subscription and usage counters. Call inside `Stores.transaction`.
   */
  erase(accountId: string, email: string | null): Promise<ErasedData>
}

/**
 * The stores the core uses, plus a transaction that hands out the same stores bound to it.
 * Billing (`BillingStores`) and email (`EmailStores`) extend it with the stores only they use.
 */
export interface Stores {
  readonly accounts: AccountStore
  readonly conversations: ConversationStore
  readonly usage: UsageStore
  readonly chatSettings: ChatSettingsStore
  readonly kv: KeyValueStore
  /** Read-only: the data export and `/admin stats` read subscriptions; billing writes them. */
  readonly subscriptions: SubscriptionReader
  /** Read-only: Telegram Stars subscriptions (entitlements, `/admin stats`); billing writes them. */
  readonly stars: StarsReader
  readonly personalData: PersonalDataStore
  /** People blocked by an operator (`/console/people`). */
  readonly blocks: BlockStore
  /** What operators did in the console and with admin commands. */
  readonly audit: AuditLog
  /**
   * After personal data was deleted: SQLite checkpoints the WAL with TRUNCATE (and VACUUMs
   * files small enough to do it online) so no copy of the deleted pages stays in the files;
   * PostgreSQL VACUUMs the affected tables. Rows were already overwritten by SQLite's
   * `secure_delete`. Throws when called on stores bound to a transaction. A merge
   * (`accounts.merge`) triggers it by itself once its transaction commits.
   */
  scrubDeleted(): Promise<ScrubReport>
  /** Runs `fn` in one database transaction; everything commits or nothing does. */
  transaction<T>(fn: (stores: Stores) => Promise<T>): Promise<T>
  /** Round-trips to the database; throws when it is unreachable. */
  ping(): Promise<void>
}
