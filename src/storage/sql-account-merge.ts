import type { Kysely } from 'kysely'
import type { SubscriptionRecord } from '../core/ports/subscriptions.js'
import type { Database } from './database.js'
import { mergeStars } from './sql-stars-store.js'
import { ENTITLED_STATUSES, SqlSubscriptionStore } from './sql-subscription-store.js'
import { SqlUsageStore } from './sql-usage-store.js'

/**
 * Moves everything of account `fromId` onto `intoId` and deletes `fromId`. Must run inside a
 * transaction (`db` is one). Throws when either account does not exist.
 */
export async function mergeAccounts(
  db: Kysely<Database>,
  fromId: string,
  intoId: string,
  now: number,
): Promise<void> {
  if (fromId === intoId) return
  const [from, into] = await Promise.all([account(db, fromId), account(db, intoId)])
  if (!from) throw new Error(`cannot merge: account ${fromId} does not exist`)
  if (!into) throw new Error(`cannot merge: account ${intoId} does not exist`)

  await db
    .updateTable('identity')
    .set({ account_id: intoId })
    .where('account_id', '=', fromId)
    .execute()
  await mergeConversations(db, `account:${fromId}`, `account:${intoId}`, now)
  await mergeChatSettings(db, `account:${fromId}`, `account:${intoId}`)
  await mergeUsage(db, fromId, intoId)
  await mergeSubscription(db, fromId, intoId, now)
  await mergeStars(db, fromId, intoId)
  await db
    .updateTable('email_token')
    .set({ account_id: intoId })
    .where('account_id', '=', fromId)
    .execute()
  // No index on message.account_id (it would tax every append); merges are rare.
  await db
    .updateTable('message')
    .set({ account_id: intoId })
    .where('account_id', '=', fromId)
    .execute()

  await db
    .updateTable('merge_request')
    .set({ from_account_id: intoId })
    .where('from_account_id', '=', fromId)
    .execute()
  await db
    .updateTable('merge_request')
    .set({ into_account_id: intoId })
    .where('into_account_id', '=', fromId)
    .execute()
  await writeRedirect(db, fromId, intoId, now)

  // Delete first: the e-mail address is unique and may move to `into`.
  await db.deleteFrom('account').where('id', '=', fromId).execute()
  const takeEmail =
    (into.email_verified_at === null && from.email_verified_at !== null) ||
    (into.email === null && from.email !== null)
  await db
    .updateTable('account')
    .set({
      ...(takeEmail ? { email: from.email, email_verified_at: from.email_verified_at } : {}),
      adult_confirmed_at: into.adult_confirmed_at ?? from.adult_confirmed_at,
      created_at: Math.min(Number(into.created_at), Number(from.created_at)),
      last_seen_at: Math.max(Number(into.last_seen_at), Number(from.last_seen_at)),
    })
    .where('id', '=', intoId)
    .execute()
}

/**
 * Leaves a forwarding address: ids stored elsewhere (Stripe metadata, link tokens, queued
 * work) resolve to the survivor. Earlier redirects to `fromId` move on too, so every lookup is
 * one step, however many merges followed.
 */
async function writeRedirect(
  db: Kysely<Database>,
  fromId: string,
  intoId: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('account_redirect')
    .set({ to_account_id: intoId })
    .where('to_account_id', '=', fromId)
    .execute()
  await db
    .insertInto('account_redirect')
    .values({ from_account_id: fromId, to_account_id: intoId, merged_at: now })
    .onConflict((oc) => oc.column('from_account_id').doUpdateSet({ to_account_id: intoId }))
    .execute()
}

function account(db: Kysely<Database>, id: string) {
  return db.selectFrom('account').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Moves DM conversations; where both have one with the same persona, their messages join. */
async function mergeConversations(
  db: Kysely<Database>,
  fromScope: string,
  intoScope: string,
  now: number,
): Promise<void> {
  const [fromRows, intoRows] = await Promise.all(
    [fromScope, intoScope].map((scope) =>
      db
        .selectFrom('conversation')
        .select(['id', 'persona_id'])
        .where('scope_key', '=', scope)
        .execute(),
    ),
  )
  const intoByPersona = new Map((intoRows ?? []).map((row) => [row.persona_id, row.id]))
  for (const row of fromRows ?? []) {
    const survivor = intoByPersona.get(row.persona_id)
    if (survivor === undefined) {
      await db
        .updateTable('conversation')
        .set({ scope_key: intoScope, updated_at: now })
        .where('id', '=', row.id)
        .execute()
      continue
    }
    const moved = await db
      .updateTable('message')
      .set({ conversation_id: survivor })
      .where('conversation_id', '=', row.id)
      .executeTakeFirst()
    await db.deleteFrom('conversation').where('id', '=', row.id).execute()
    if (Number(moved.numUpdatedRows) > 0) {
      // The summary no longer covers the interleaved messages; the core rebuilds it.
      await db
        .updateTable('conversation')
        .set({ summary: null, summary_up_to: null, updated_at: now })
        .where('id', '=', survivor)
        .execute()
    }
  }
}

/** `into`'s settings win when both have them. */
async function mergeChatSettings(
  db: Kysely<Database>,
  fromScope: string,
  intoScope: string,
): Promise<void> {
  const intoHas = await db
    .selectFrom('chat_settings')
    .select('scope_key')
    .where('scope_key', '=', intoScope)
    .executeTakeFirst()
  if (intoHas) {
    await db.deleteFrom('chat_settings').where('scope_key', '=', fromScope).execute()
  } else {
    await db
      .updateTable('chat_settings')
      .set({ scope_key: intoScope })
      .where('scope_key', '=', fromScope)
      .execute()
  }
}

/** Sums the counters of days both accounts used. */
async function mergeUsage(db: Kysely<Database>, fromId: string, intoId: string): Promise<void> {
  const rows = await db
    .selectFrom('usage_daily')
    .selectAll()
    .where('account_id', '=', fromId)
    .execute()
  const usage = new SqlUsageStore(db)
  for (const row of rows) {
    await usage.add(intoId, row.day, {
      messages: Number(row.messages),
      promptTokens: Number(row.prompt_tokens),
      completionTokens: Number(row.completion_tokens),
    })
  }
  await db.deleteFrom('usage_daily').where('account_id', '=', fromId).execute()
}

async function mergeSubscription(
  db: Kysely<Database>,
  fromId: string,
  intoId: string,
  now: number,
): Promise<void> {
  const store = new SqlSubscriptionStore(db)
  const [from, into] = await Promise.all([store.get(fromId), store.get(intoId)])
  if (!from) return
  if (!into) {
    await db
      .updateTable('subscription')
      .set({ account_id: intoId })
      .where('account_id', '=', fromId)
      .execute()
    return
  }
  // Delete first: the Stripe ids are unique and may move to `into`'s row.
  await db.deleteFrom('subscription').where('account_id', '=', fromId).execute()
  await store.upsert(mergeSubscriptionRecords(into, from, now))
}

/**
 * Combines two accounts' subscription rows into `into`'s. The Stripe part comes from the row
 * whose status is entitled (else the one with a subscription id, else the newer; ties keep
 * `into`); a missing customer id is filled from the other row; the later complimentary grant wins.
 * When both rows hold live Stripe subscriptions, only the winner's id is kept.
 */
export function mergeSubscriptionRecords(
  into: SubscriptionRecord,
  from: SubscriptionRecord,
  now: number,
): SubscriptionRecord {
  const rank = (r: SubscriptionRecord): number[] => [
    r.status !== null && ENTITLED_STATUSES.includes(r.status) ? 1 : 0,
    r.stripeSubscriptionId !== null ? 1 : 0,
    r.updatedAt,
  ]
  const a = rank(into)
  const b = rank(from)
  const firstDiff = a.findIndex((v, i) => v !== b[i])
  const fromWins = firstDiff !== -1 && (b[firstDiff] ?? 0) > (a[firstDiff] ?? 0)
  const winner = fromWins ? from : into
  const loser = fromWins ? into : from
  return {
    ...winner,
    accountId: into.accountId,
    stripeCustomerId: winner.stripeCustomerId ?? loser.stripeCustomerId,
    compUntil: maxNullable(into.compUntil, from.compUntil),
    updatedAt: now,
  }
}

function maxNullable(a: number | null, b: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  return Math.max(a, b)
}
