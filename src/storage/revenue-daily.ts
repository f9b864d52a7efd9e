import type { Kysely } from 'kysely'
import type { Database } from './database.js'

/**
 * Adds one payment to the day's revenue of a source (`stripe`, `telegram stars`) and currency:
 * the console's revenue chart reads these rows, never Stripe.
 */
export async function addRevenue(
  db: Kysely<Database>,
  at: number,
  source: string,
  currency: string,
  amount: number,
): Promise<void> {
  await db
    .insertInto('revenue_daily')
    .values({
      day: new Date(at).toISOString().slice(0, 10),
      source,
      currency: currency.toUpperCase(),
      amount,
      payments: 1,
    })
    .onConflict((oc) =>
      oc.columns(['day', 'source', 'currency']).doUpdateSet((eb) => ({
        amount: eb('revenue_daily.amount', '+', eb.ref('excluded.amount')),
        payments: eb('revenue_daily.payments', '+', eb.ref('excluded.payments')),
      })),
    )
    .execute()
}
