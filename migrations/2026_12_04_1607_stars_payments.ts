import type { Kysely } from 'kysely'

/** Telegram Stars: one subscription row per account and a ledger of payments by charge id. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stars_subscription')
    .addColumn('account_id', 'text', (c) =>
      c.primaryKey().references('account.id').onDelete('cascade'),
    )
    .addColumn('telegram_user_id', 'text', (c) => c.notNull())
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('renewal_canceled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('stars_payment')
    .addColumn('charge_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('telegram_user_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('refunded_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('stars_payment_account_idx')
    .on('stars_payment')
    .columns(['account_id', 'created_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stars_payment').ifExists().execute()
  await db.schema.dropTable('stars_subscription').ifExists().execute()
}
