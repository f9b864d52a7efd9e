import type { Kysely } from 'kysely'
import type { Database } from './database.js'

export const DAY_MS = 86_400_000

export interface RetentionPolicy {
  /** Bodies of sent (or given-up) mails older than this are blanked (`MAIL_RETENTION_DAYS`). */
  readonly mailRetentionMs: number
  /** Stripe retries an event for up to three days; dedupe rows are kept well beyond that. */
  readonly stripeEventRetentionMs: number
  /** Single-use link claims outlive their one-hour links by this much. */
  readonly claimRetentionMs: number
  /** Handled inbox entries (ids only, for deduplication) are kept this long. */
  readonly inboxRetentionMs: number
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  mailRetentionMs: 7 * DAY_MS,
  stripeEventRetentionMs: 30 * DAY_MS,
  claimRetentionMs: DAY_MS,
  inboxRetentionMs: DAY_MS,
}

/** How many rows one sweep changed, per kind. */
export interface RetentionResult {
  readonly mailBodies: number
  readonly emailTokens: number
  readonly mergeRequests: number
  readonly linkClaims: number
  readonly stripeEvents: number
  readonly handledInbox: number
}

/** Text left in place of a purged mail body (the row stays: its dedupe key prevents resends). */
export const PURGED_BODY = '[purged after the retention period]'

/**
 * Deletes or blanks what is no longer needed: sent mail bodies (verification links!) after
 * the mail retention, expired verification tokens and merge requests, claims of expired
 * personal links, old Stripe event dedupe rows, and handled inbox entries. Plain kysely, so both dialects run it.
 */
export async function purgeExpired(
  db: Kysely<Database>,
  now: number,
  policy: RetentionPolicy = DEFAULT_RETENTION,
): Promise<RetentionResult> {
  const mailCutoff = now - policy.mailRetentionMs
  const mail = await db
    .updateTable('email_outbox')
    .set({ text_body: PURGED_BODY, html_body: PURGED_BODY })
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'sent'), eb('sent_at', '<', mailCutoff)]),
        eb.and([eb('status', '=', 'failed'), eb('created_at', '<', mailCutoff)]),
      ]),
    )
    .where('text_body', '!=', PURGED_BODY)
    .executeTakeFirst()
  const tokens = await db.deleteFrom('email_token').where('expires_at', '<', now).executeTakeFirst()
  const requests = await db
    .deleteFrom('merge_request')
    .where('expires_at', '<', now)
    .executeTakeFirst()
  const claims = await db
    .deleteFrom('kv')
    .where('key', 'like', 'link:%')
    .where('value', '=', 'claimed')
    .where('created_at', '<', now - policy.claimRetentionMs)
    .executeTakeFirst()
  const events = await db
    .deleteFrom('stripe_event')
    .where('processed_at', '<', now - policy.stripeEventRetentionMs)
    .executeTakeFirst()
  // Handled inbox entries keep only their id, to drop redeliveries; Telegram stops redelivering
  // within a day and Discord catch-up looks back at most DISCORD_CATCHUP_MS (≤ a day).
  const inbox = await db
    .deleteFrom('inbox')
    .where('state', '=', 'done')
    .where('finished_at', '<', now - policy.inboxRetentionMs)
    .executeTakeFirst()
  return {
    mailBodies: Number(mail.numUpdatedRows),
    emailTokens: Number(tokens.numDeletedRows),
    mergeRequests: Number(requests.numDeletedRows),
    linkClaims: Number(claims.numDeletedRows),
    stripeEvents: Number(events.numDeletedRows),
    handledInbox: Number(inbox.numDeletedRows),
  }
}
