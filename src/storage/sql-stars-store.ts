import type { Kysely, Selectable } from 'kysely'
import type {
  StarsPaymentKind,
  StarsPaymentRecord,
  StarsRevenue,
  StarsStore,
  StarsSubscriptionRecord,
} from '../core/ports/stars.js'
import type { Database, StarsPaymentTable, StarsSubscriptionTable } from './database.js'
import { addRevenue } from './revenue-daily.js'

/** `StarsStore` over `stars_subscription` (one row per account) and `stars_payment`. */
export class SqlStarsStore implements StarsStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async getSubscription(accountId: string): Promise<StarsSubscriptionRecord | undefined> {
    const row = await this.#db
      .selectFrom('stars_subscription')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst()
    return row && subscriptionOf(row)
  }

  async putSubscription(r: StarsSubscriptionRecord): Promise<void> {
    const rest = {
      telegram_user_id: r.telegramUserId,
      charge_id: r.chargeId,
      expires_at: r.expiresAt,
      renewal_canceled: r.renewalCanceled ? 1 : 0,
      updated_at: r.updatedAt,
    }
    await this.#db
      .insertInto('stars_subscription')
      .values({ account_id: r.accountId, ...rest })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(rest))
      .execute()
  }

  async recordPayment(p: StarsPaymentRecord): Promise<boolean> {
    const row = await this.#db
      .insertInto('stars_payment')
      .values({
        charge_id: p.chargeId,
        account_id: p.accountId,
        telegram_user_id: p.telegramUserId,
        amount: p.amount,
        kind: p.kind,
        expires_at: p.expiresAt,
        created_at: p.createdAt,
        refunded_at: p.refundedAt,
      })
      .onConflict((oc) => oc.column('charge_id').doNothing())
      .returning('charge_id')
      .executeTakeFirst()
    if (row !== undefined)
      await addRevenue(this.#db, p.createdAt, 'telegram stars', 'XTR', p.amount)
    return row !== undefined
  }

  async latestRefundable(accountId: string): Promise<StarsPaymentRecord | undefined> {
    const row = await this.#db
      .selectFrom('stars_payment')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('refunded_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('charge_id', 'desc')
      .executeTakeFirst()
    return row && paymentOf(row)
  }

  async markRefunded(chargeId: string, at: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('stars_payment')
      .set({ refunded_at: at })
      .where('charge_id', '=', chargeId)
      .where('refunded_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  async revenue(sinceMs: number): Promise<StarsRevenue> {
    const paid = await this.#db
      .selectFrom('stars_payment')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum<number>('amount').as('stars')])
      .where('created_at', '>=', sinceMs)
      .executeTakeFirstOrThrow()
    const refunded = await this.#db
      .selectFrom('stars_payment')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum<number>('amount').as('stars')])
      .where('refunded_at', '>=', sinceMs)
      .executeTakeFirstOrThrow()
    return {
      payments: Number(paid.n),
      stars: Number(paid.stars ?? 0),
      refunds: Number(refunded.n),
      refundedStars: Number(refunded.stars ?? 0),
    }
  }

  async countActive(now: number): Promise<number> {
    const row = await this.#db
      .selectFrom('stars_subscription')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
}

/**
 * Moves Stars rows of `fromId` onto `intoId` during an account merge (inside its transaction):
 * every payment, and the subscription that lasts longer when both have one.
 */
export async function mergeStars(db: Kysely<Database>, fromId: string, intoId: string) {
  await db
    .updateTable('stars_payment')
    .set({ account_id: intoId })
    .where('account_id', '=', fromId)
    .execute()
  const store = new SqlStarsStore(db)
  const [from, into] = await Promise.all([
    store.getSubscription(fromId),
    store.getSubscription(intoId),
  ])
  await db.deleteFrom('stars_subscription').where('account_id', '=', fromId).execute()
  if (from && (!into || from.expiresAt > into.expiresAt)) {
    await store.putSubscription({ ...from, accountId: intoId })
  }
}

function subscriptionOf(row: Selectable<StarsSubscriptionTable>): StarsSubscriptionRecord {
  return {
    accountId: row.account_id,
    telegramUserId: row.telegram_user_id,
    chargeId: row.charge_id,
    expiresAt: Number(row.expires_at),
    renewalCanceled: Number(row.renewal_canceled) === 1,
    updatedAt: Number(row.updated_at),
  }
}

function paymentOf(row: Selectable<StarsPaymentTable>): StarsPaymentRecord {
  return {
    chargeId: row.charge_id,
    accountId: row.account_id,
    telegramUserId: row.telegram_user_id,
    amount: Number(row.amount),
    kind: row.kind as StarsPaymentKind,
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
    refundedAt: row.refunded_at === null ? null : Number(row.refunded_at),
  }
}
