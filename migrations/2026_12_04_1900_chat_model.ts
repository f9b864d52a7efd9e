import type { Kysely } from 'kysely'

/** A chat's model choice (`/model <name>`): overrides the persona's model there; null = default. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('chat_settings').addColumn('model', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('chat_settings').dropColumn('model').execute()
}
