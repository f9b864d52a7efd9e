import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { AccountStore } from '../core/ports/stores.js'
import type { Account, Identity, Platform } from '../core/types.js'
import type { AccountTable, Database } from './database.js'
import { mergeAccounts } from './sql-account-merge.js'

/** How stale `last_seen_at` may get before a message refreshes it (keeps the hot path read-only). */
export const LAST_SEEN_RESOLUTION_MS = 60_000

/** `AccountStore` over `account` and `identity`. */
export class SqlAccountStore implements AccountStore {
  readonly #db: Kysely<Database>

  readonly #onMerged: (() => void) | undefined

  /** `onMerged` runs after each merge (the stores scrub the deleted rows once it commits). */
  constructor(db: Kysely<Database>, onMerged?: () => void) {
    this.#db = db
    this.#onMerged = onMerged
  }

  /**
   * One indexed read for a known identity; writes only when the display name changed or
   * `last_seen_at` is more than a minute old. A new identity is inserted with
   * on-conflict-do-nothing, so concurrent first messages end up on one account.
   */
  async resolveIdentity(
    platform: Platform,
    platformUserId: string,
    displayName: string,
    now: number,
    handle?: string,
  ): Promise<{ account: Account; created: boolean }> {
    const known = await this.#findWithAccount(platform, platformUserId)
    if (known) {
      const newHandle = handle !== undefined && known.handle !== handle
      if (known.display_name !== displayName || newHandle) {
        await this.#db
          .updateTable('identity')
          .set({ display_name: displayName, ...(newHandle ? { handle } : {}) })
          .where('platform', '=', platform)
          .where('platform_user_id', '=', platformUserId)
          .execute()
      }
      if (now - Number(known.last_seen_at) >= LAST_SEEN_RESOLUTION_MS) {
        await this.#db
          .updateTable('account')
          .set({ last_seen_at: now })
          .where('id', '=', known.id)
          .where('last_seen_at', '<', now)
          .execute()
      }
      return { account: toAccount(known), created: false }
    }

    const account: AccountTable = {
      id: randomUUID(),
      email: null,
      email_verified_at: null,
      adult_confirmed_at: null,
      created_at: now,
      last_seen_at: now,
    }
    await this.#db.insertInto('account').values(account).execute()
    const inserted = await this.#db
      .insertInto('identity')
      .values({
        platform,
        platform_user_id: platformUserId,
        account_id: account.id,
        display_name: displayName,
        handle: handle ?? null,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['platform', 'platform_user_id']).doNothing())
      .returning('account_id')
      .executeTakeFirst()
    if (inserted) return { account: toAccount(account), created: true }

    // A concurrent call created the identity first: drop our unused account and use theirs.
    await this.#db.deleteFrom('account').where('id', '=', account.id).execute()
    const winner = await this.#findWithAccount(platform, platformUserId)
    if (!winner) throw new Error('identity vanished while being created')
    return { account: toAccount(winner), created: false }
  }

  async get(accountId: string): Promise<Account | undefined> {
    const row = await this.#db
      .selectFrom('account')
      .selectAll()
      .where('id', '=', accountId)
      .executeTakeFirst()
    return row ? toAccount(row) : undefined
  }

  /** Exact match; callers normalise addresses (trim, lower-case) before storing and looking up. */
  async survivorOf(accountId: string): Promise<string | undefined> {
    const own = await this.#db
      .selectFrom('account')
      .select('id')
      .where('id', '=', accountId)
      .executeTakeFirst()
    if (own) return own.id
    const redirect = await this.#db
      .selectFrom('account_redirect')
      .innerJoin('account', 'account.id', 'account_redirect.to_account_id')
      .select('account.id')
      .where('account_redirect.from_account_id', '=', accountId)
      .executeTakeFirst()
    return redirect?.id
  }

  async findByEmail(email: string): Promise<Account | undefined> {
    const row = await this.#db
      .selectFrom('account')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst()
    return row ? toAccount(row) : undefined
  }

  async findIdentity(platform: Platform, platformUserId: string): Promise<Identity | undefined> {
    const row = await this.#db
      .selectFrom('identity')
      .selectAll()
      .where('platform', '=', platform)
      .where('platform_user_id', '=', platformUserId)
      .executeTakeFirst()
    return row ? toIdentity(row) : undefined
  }

  async identities(accountId: string): Promise<Identity[]> {
    const rows = await this.#db
      .selectFrom('identity')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('platform')
      .execute()
    return rows.map(toIdentity)
  }

  /** Throws (unique violation) when another account already holds `email`: merge first. */
  async setEmailVerified(accountId: string, email: string, now: number): Promise<void> {
    await this.#db
      .updateTable('account')
      .set({ email, email_verified_at: now })
      .where('id', '=', accountId)
      .execute()
  }

  async setAdultConfirmed(accountId: string, confirmed: boolean, now: number): Promise<void> {
    await this.#db
      .updateTable('account')
      .set({ adult_confirmed_at: confirmed ? now : null })
      .where('id', '=', accountId)
      .execute()
  }

  /** Runs in the caller's transaction, or opens one when called outside a transaction. */
  async merge(fromAccountId: string, intoAccountId: string, now: number): Promise<void> {
    if (this.#db.isTransaction) await mergeAccounts(this.#db, fromAccountId, intoAccountId, now)
    else {
      await this.#db
        .transaction()
        .execute((trx) => mergeAccounts(trx, fromAccountId, intoAccountId, now))
    }
    this.#onMerged?.()
  }

  /**
   * `messages` is the highest message id: every message ever stored, deleted ones included.
   * It costs one index lookup however many messages there are (an exact count scans them all).
   */
  async stats(
    sinceMs: number,
  ): Promise<{ accounts: number; activeAccounts: number; messages: number }> {
    const accounts = await this.#db
      .selectFrom('account')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn
          .count<number>(eb.case().when('last_seen_at', '>=', sinceMs).then(1).end())
          .as('active'),
      ])
      .executeTakeFirstOrThrow()
    const messages = await this.#db
      .selectFrom('message')
      .select((eb) => eb.fn.max('id').as('max_id'))
      .executeTakeFirst()
    return {
      accounts: Number(accounts.total),
      activeAccounts: Number(accounts.active),
      messages: Number(messages?.max_id ?? 0),
    }
  }

  #findWithAccount(platform: Platform, platformUserId: string) {
    return this.#db
      .selectFrom('identity')
      .innerJoin('account', 'account.id', 'identity.account_id')
      .select([
        'account.id',
        'account.email',
        'account.email_verified_at',
        'account.adult_confirmed_at',
        'account.created_at',
        'account.last_seen_at',
        'identity.display_name',
        'identity.handle',
      ])
      .where('identity.platform', '=', platform)
      .where('identity.platform_user_id', '=', platformUserId)
      .executeTakeFirst()
  }
}

function toAccount(
  row: Pick<
    AccountTable,
    'id' | 'email' | 'email_verified_at' | 'adult_confirmed_at' | 'created_at'
  >,
): Account {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified_at !== null,
    adultConfirmed: row.adult_confirmed_at !== null,
    createdAt: Number(row.created_at),
  }
}

function toIdentity(row: {
  platform: string
  platform_user_id: string
  account_id: string
  display_name: string
  handle: string | null
}): Identity {
  return {
    platform: row.platform as Platform,
    platformUserId: row.platform_user_id,
    accountId: row.account_id,
    displayName: row.display_name,
    handle: row.handle,
  }
}
