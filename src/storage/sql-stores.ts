import { type Kysely, PostgresAdapter, sql } from 'kysely'
import type { BillingStores } from '../billing/billing-stores.js'
import type { ScrubReport, Stores } from '../core/ports/stores.js'
import type { EmailStores } from '../email/email-stores.js'
import type { Database } from './database.js'
import { scrubSqlite, vacuumPostgres } from './scrub-deleted.js'
import { SqlAccountStore } from './sql-account-store.js'
import { SqlAuditLog } from './sql-audit-log.js'
import { SqlBlockStore } from './sql-block-store.js'
import { SqlChatSettingsStore } from './sql-chat-settings-store.js'
import { SqlConversationStore } from './sql-conversation-store.js'
import { SqlEmailOutboxStore } from './sql-email-outbox-store.js'
import { SqlEmailTokenStore } from './sql-email-token-store.js'
import { SqlKeyValueStore } from './sql-kv-store.js'
import { SqlMergeRequestStore } from './sql-merge-request-store.js'
import { SqlPersonalDataStore } from './sql-personal-data-store.js'
import { SqlStarsStore } from './sql-stars-store.js'
import { SqlStripeEventStore } from './sql-stripe-event-store.js'
import { SqlSubscriptionStore } from './sql-subscription-store.js'
import { SqlUsageStore } from './sql-usage-store.js'

/** Every store: what the core, billing and email each use, in one transaction scope. */
export interface SqlStores extends Stores, BillingStores, EmailStores {
  readonly subscriptions: SqlSubscriptionStore
  readonly stars: SqlStarsStore
  transaction<T>(fn: (stores: SqlStores) => Promise<T>): Promise<T>
}

export interface SqlStoresOptions {
  /**
   * Scrubs deleted rows from the database files: pass `DatabaseHandle.scrub`, which uses the
   * SQLite background checkpointer. Default: the same work over `db` itself.
   */
  readonly scrub?: (() => Promise<ScrubReport>) | undefined
  /** Told when the scrub after a merge fails (the merge itself has committed). */
  readonly onScrubError?: ((err: unknown) => void) | undefined
}

/**
 * Every store over one database (or one open transaction). `transaction(fn)` hands `fn` the
 * same stores bound to a new transaction; called on stores that already are in one, it reuses
 * that transaction instead of nesting. Inside `fn`, use only the stores it receives: on SQLite
 * the one connection is held by the transaction, so a query through the outer stores would
 * wait for it forever. A merge inside the transaction scrubs the database once it commits.
 */
export function createSqlStores(db: Kysely<Database>, options: SqlStoresOptions = {}): SqlStores {
  const run = options.scrub ?? (() => defaultScrub(db))
  const scrub = async () => {
    try {
      return await run()
    } catch (err) {
      options.onScrubError?.(err)
      throw err
    }
  }
  return storesOver(db, scrub, undefined)
}

function storesOver(
  db: Kysely<Database>,
  scrub: () => Promise<ScrubReport>,
  onMerged: (() => void) | undefined,
): SqlStores {
  const stores: SqlStores = {
    accounts: new SqlAccountStore(db, onMerged ?? (() => void scrubQuietly(scrub))),
    conversations: new SqlConversationStore(db),
    usage: new SqlUsageStore(db),
    chatSettings: new SqlChatSettingsStore(db),
    kv: new SqlKeyValueStore(db),
    subscriptions: new SqlSubscriptionStore(db),
    stripeEvents: new SqlStripeEventStore(db),
    stars: new SqlStarsStore(db),
    emailTokens: new SqlEmailTokenStore(db),
    outbox: new SqlEmailOutboxStore(db),
    mergeRequests: new SqlMergeRequestStore(db),
    personalData: new SqlPersonalDataStore(db),
    blocks: new SqlBlockStore(db),
    audit: new SqlAuditLog(db),
    scrubDeleted(): Promise<ScrubReport> {
      if (db.isTransaction) return Promise.reject(new Error('scrubDeleted inside a transaction'))
      return scrub()
    },
    async transaction<T>(fn: (stores: SqlStores) => Promise<T>): Promise<T> {
      if (db.isTransaction) return fn(stores)
      let merged = false
      const result = await db.transaction().execute((trx) =>
        fn(
          storesOver(trx, scrub, () => {
            merged = true
          }),
        ),
      )
      if (merged) await scrubQuietly(scrub)
      return result
    },
    async ping(): Promise<void> {
      await sql`select 1`.execute(db)
    },
  }
  return stores
}

function defaultScrub(db: Kysely<Database>): Promise<ScrubReport> {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? vacuumPostgres(db)
    : scrubSqlite(db, undefined)
}

/** A merge has committed already; a failed scrub must not turn it into an error. */
async function scrubQuietly(scrub: () => Promise<ScrubReport>): Promise<void> {
  try {
    await scrub()
  } catch {
    // Reported through `onScrubError`; the next forget or merge scrubs again.
  }
}
