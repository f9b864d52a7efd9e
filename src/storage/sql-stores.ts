import { type Kysely, sql } from 'kysely'
import type { Stores } from '../core/ports/stores.js'
import type { Database } from './database.js'
import { SqlAccountStore } from './sql-account-store.js'
import { SqlChatSettingsStore } from './sql-chat-settings-store.js'
import { SqlConversationStore } from './sql-conversation-store.js'
import { SqlEmailOutboxStore } from './sql-email-outbox-store.js'
import { SqlEmailTokenStore } from './sql-email-token-store.js'
import { SqlKeyValueStore } from './sql-kv-store.js'
import { SqlMergeRequestStore } from './sql-merge-request-store.js'
import { SqlStripeEventStore } from './sql-stripe-event-store.js'
import { SqlSubscriptionStore } from './sql-subscription-store.js'
import { SqlUsageStore } from './sql-usage-store.js'

/**
 * Every store over one database (or one open transaction). `transaction(fn)` hands `fn` the
 * same stores bound to a new transaction; called on stores that already are in one, it reuses
 * that transaction instead of nesting. Inside `fn`, use only the stores it receives: on SQLite
 * the one connection is held by the transaction, so a query through the outer stores would
 * wait for it forever.
 */
export function createSqlStores(db: Kysely<Database>): Stores {
  const stores: Stores = {
    accounts: new SqlAccountStore(db),
    conversations: new SqlConversationStore(db),
    usage: new SqlUsageStore(db),
    chatSettings: new SqlChatSettingsStore(db),
    kv: new SqlKeyValueStore(db),
    subscriptions: new SqlSubscriptionStore(db),
    stripeEvents: new SqlStripeEventStore(db),
    emailTokens: new SqlEmailTokenStore(db),
    outbox: new SqlEmailOutboxStore(db),
    mergeRequests: new SqlMergeRequestStore(db),
    transaction<T>(fn: (stores: Stores) => Promise<T>): Promise<T> {
      if (db.isTransaction) return fn(stores)
      return db.transaction().execute((trx) => fn(createSqlStores(trx)))
    },
    async ping(): Promise<void> {
      await sql`select 1`.execute(db)
    },
  }
  return stores
}
