import type { Kysely } from 'kysely'

/**
 * Each identity keeps the platform's unique handle (Telegram `@name`, Discord username) beside
 * the display name anyone can choose, so pages that ask for consent name accounts unspoofably.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('identity').addColumn('handle', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('identity').dropColumn('handle').execute()
}
