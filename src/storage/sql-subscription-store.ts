import type { Kysely, Selectable } from 'kysely'
import type { SubscriptionStore } from '../billing/billing-stores.js'
import type { SubscriptionRecord, SubscriptionStatus } from '../core/ports/subscriptions.js'
import type { Database, SubscriptionTable } from './database.js'
import { addRevenue } from './revenue-daily.js'

/** Stripe statuses that count as a paying subscriber (past_due while in its grace period). */
export const ENTITLED_STATUSES: readonly SubscriptionStatus[] = ['active', 'trialing', 'past_due']

/** `SubscriptionStore` over `subscription`: one row per account. */
export class SqlSubscriptionStore implements SubscriptionStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async get(accountId: string): Promise<SubscriptionRecord | undefined> {
    return this.#findBy('account_id', accountId)
  }

  async findByCustomer(stripeCustomerId: string): Promise<SubscriptionRecord | undefined> {
    return this.#findBy('stripe_customer_id', stripeCustomerId)
  }

  async findBySubscription(stripeSubscriptionId: string): Promise<SubscriptionRecord | undefined> {
    return this.#findBy('stripe_subscription_id', stripeSubscriptionId)
  }

  async upsert(record: SubscriptionRecord): Promise<void> {
    const { account_id, ...rest } = toRow(record)
    await this.#db
      .insertInto('subscription')
      .values({ account_id, ...rest })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(rest))
      .execute()
  }

  /** Rows with an active, trialing or past_due status, or a complimentary grant beyond `now`. */
  async recordPayment(amount: number, currency: string, at: number): Promise<void> {
    await addRevenue(this.#db, at, 'stripe', currency, amount)
  }

  async countActive(now: number): Promise<number> {
    const row = await this.#db
      .selectFrom('subscription')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) =>
        eb.or([eb('status', 'in', [...ENTITLED_STATUSES]), eb('comp_until', '>', now)]),
      )
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async #findBy(
    column: 'account_id' | 'stripe_customer_id' | 'stripe_subscription_id',
    value: string,
  ): Promise<SubscriptionRecord | undefined> {
    const row = await this.#db
      .selectFrom('subscription')
      .selectAll()
      .where(column, '=', value)
      .executeTakeFirst()
    return row ? toSubscription(row) : undefined
  }
}

function toSubscription(row: Selectable<SubscriptionTable>): SubscriptionRecord {
  return {
    accountId: row.account_id,
    stripeCustomerId: row.stripe_customer_id,
    stripeSubscriptionId: row.stripe_subscription_id,
    status: row.status as SubscriptionStatus | null,
    priceId: row.price_id,
    currentPeriodEnd: nullableNumber(row.current_period_end),
    cancelAtPeriodEnd: Number(row.cancel_at_period_end) === 1,
    pastDueSince: nullableNumber(row.past_due_since),
    lastEventCreated: nullableNumber(row.last_event_created),
    compUntil: nullableNumber(row.comp_until),
    updatedAt: Number(row.updated_at),
  }
}

function toRow(record: SubscriptionRecord): SubscriptionTable {
  return {
    account_id: record.accountId,
    stripe_customer_id: record.stripeCustomerId,
    stripe_subscription_id: record.stripeSubscriptionId,
    status: record.status,
    price_id: record.priceId,
    current_period_end: record.currentPeriodEnd,
    cancel_at_period_end: record.cancelAtPeriodEnd ? 1 : 0,
    past_due_since: record.pastDueSince,
    last_event_created: record.lastEventCreated,
    comp_until: record.compUntil,
    updated_at: record.updatedAt,
  }
}

function nullableNumber(value: number | null): number | null {
  return value === null ? null : Number(value)
}
