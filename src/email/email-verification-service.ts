import { createHash, randomBytes } from 'node:crypto'
import type { Logger } from '../core/ports/logger.js'
import type { Notifier } from '../core/ports/messenger.js'
import type { StartVerificationResult, VerificationService } from '../core/ports/services.js'
import { normalizeEmailAddress } from './address.js'
import type { TemplateContext } from './email-layout.js'
import type { EmailStores } from './email-stores.js'
import { verificationEmail, welcomeEmail } from './templates.js'

export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000
export const MAX_REQUESTS_PER_HOUR = 3
const HOUR_MS = 60 * 60 * 1000
// 32 random bytes in base64url, without padding.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** What the confirmation page shows for a token, without consuming it. */
export type TokenInspection =
  | {
      readonly status: 'valid'
      readonly email: string
      readonly expiresAt: number
      /** The chat identities that asked, so a person can spot a request that was not theirs. */
      readonly requestedBy: readonly RequesterIdentity[]
    }
  | { readonly status: 'used' | 'expired' | 'unknown' }

export interface RequesterIdentity {
  readonly platform: string
  readonly displayName: string
}

/** The result of confirming (consuming) a token. */
export type ConfirmResult =
  | {
      readonly status: 'verified'
      readonly email: string
      /** The account that now holds the address (the one that owned it before, on a merge). */
      readonly accountId: string
      /** True when two accounts became one. */
      readonly merged: boolean
    }
  | { readonly status: 'used' | 'expired' | 'unknown' }

/** What the `/verify` routes need. */
export interface EmailVerifier {
  /** Looks a token up and changes nothing (mail scanners open links). Never throws for bad input. */
  inspect(token: string, now: number): Promise<TokenInspection>
  /** Consumes the token once, verifies the address and links accounts. Never throws for bad input. */
  confirm(token: string, now: number): Promise<ConfirmResult>
}

export interface EmailVerificationServiceDeps {
  readonly stores: EmailStores
  readonly log: Logger
  readonly notifier?: Notifier | undefined
  /** Called after a commit that enqueued mail, so it goes out without waiting for the next poll. */
  readonly onEnqueued?: (() => void) | undefined
}

export interface EmailVerificationServiceOptions extends TemplateContext {
  readonly tokenTtlMs?: number | undefined
  readonly maxPerHour?: number | undefined
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/**
 * Email verification: `start` emails a single-use link (only the token's SHA-256 is stored),
 * `inspect` backs the GET page, `confirm` the POST. Confirming an address another account
 * already owns merges this account into that one in the same transaction.
 */
export class EmailVerificationService implements VerificationService, EmailVerifier {
  readonly #stores: EmailStores
  readonly #log: Logger
  readonly #notifier: Notifier | undefined
  readonly #onEnqueued: () => void
  readonly #ctx: TemplateContext
  readonly #ttlMs: number
  readonly #maxPerHour: number

  constructor(deps: EmailVerificationServiceDeps, options: EmailVerificationServiceOptions) {
    this.#stores = deps.stores
    this.#log = deps.log
    this.#notifier = deps.notifier
    this.#onEnqueued = deps.onEnqueued ?? (() => {})
    this.#ctx = { publicUrl: options.publicUrl.replace(/\/+$/, '') }
    this.#ttlMs = options.tokenTtlMs ?? TOKEN_TTL_MS
    this.#maxPerHour = options.maxPerHour ?? MAX_REQUESTS_PER_HOUR
  }

  async start(accountId: string, rawEmail: string, now: number): Promise<StartVerificationResult> {
    const email = normalizeEmailAddress(rawEmail)
    if (!email) {
      this.#log.info({ accountId }, 'verification refused: invalid address')
      return { status: 'invalid_email' }
    }
    const account = await this.#stores.accounts.get(accountId)
    if (account?.emailVerified && account.email === email) {
      return { status: 'already_verified', email }
    }
    const since = now - HOUR_MS
    for (const filter of [{ accountId }, { email }]) {
      const count = await this.#stores.emailTokens.countSince(filter, since)
      if (count >= this.#maxPerHour) {
        const retryAfterSeconds = await this.#retryAfterSeconds(filter, now)
        this.#log.info(
          { accountId, per: 'accountId' in filter ? 'account' : 'address', retryAfterSeconds },
          'verification rate-limited',
        )
        return { status: 'rate_limited', retryAfterSeconds }
      }
    }

    const token = randomBytes(32).toString('base64url')
    const mail = verificationEmail(this.#ctx, {
      link: `${this.#ctx.publicUrl}/verify?token=${token}`,
      requestedBy: await this.#requesters(accountId),
    })
    await this.#stores.transaction(async (s) => {
      await s.emailTokens.insert({
        tokenHash: hashToken(token),
        accountId,
        email,
        expiresAt: now + this.#ttlMs,
        usedAt: null,
        createdAt: now,
      })
      await s.outbox.enqueue({ kind: 'verification', to: email, ...mail, createdAt: now })
    })
    this.#log.info({ accountId }, 'verification email queued')
    this.#onEnqueued()
    return { status: 'sent', email }
  }

  async inspect(token: string, now: number): Promise<TokenInspection> {
    if (!TOKEN_SHAPE.test(token)) return { status: 'unknown' }
    const record = await this.#stores.emailTokens.find(hashToken(token))
    if (!record) return { status: 'unknown' }
    if (record.usedAt !== null) return { status: 'used' }
    if (record.expiresAt <= now) return { status: 'expired' }
    return {
      status: 'valid',
      email: record.email,
      expiresAt: record.expiresAt,
      requestedBy: await this.#requesters(record.accountId),
    }
  }

  async confirm(token: string, now: number): Promise<ConfirmResult> {
    if (!TOKEN_SHAPE.test(token)) return { status: 'unknown' }
    const tokenHash = hashToken(token)
    const outcome = await this.#stores.transaction(async (s) => {
      const consumed = await s.emailTokens.consume(tokenHash, now)
      if (!consumed) return undefined
      const account = await s.accounts.get(consumed.accountId)
      if (!account) return undefined
      const owner = await s.accounts.findByEmail(consumed.email)
      let survivor = account.id
      if (owner && owner.id !== account.id) {
        // The account that already owns the address survives: it is the one the person proved first.
        await s.accounts.merge(account.id, owner.id, now)
        survivor = owner.id
      }
      const merged = survivor !== account.id
      await s.accounts.setEmailVerified(survivor, consumed.email, now)
      const mail = welcomeEmail(this.#ctx, { email: consumed.email, merged })
      await s.outbox.enqueue({
        kind: 'welcome',
        to: consumed.email,
        ...mail,
        dedupeKey: `welcome:${consumed.email}${merged ? `:merged:${account.id}` : ''}`,
        createdAt: now,
      })
      return { email: consumed.email, accountId: survivor, merged, from: account.id }
    })
    if (!outcome) return this.#whyNotConsumed(tokenHash, now)

    this.#log.info(
      { accountId: outcome.accountId, mergedFrom: outcome.merged ? outcome.from : undefined },
      outcome.merged ? 'email verified; accounts merged' : 'email verified',
    )
    this.#onEnqueued()
    await this.#tellInChat(outcome.accountId, outcome.email, outcome.merged)
    return {
      status: 'verified',
      email: outcome.email,
      accountId: outcome.accountId,
      merged: outcome.merged,
    }
  }

  async #requesters(accountId: string): Promise<RequesterIdentity[]> {
    const identities = await this.#stores.accounts.identities(accountId)
    return identities.map((i) => ({
      platform: PLATFORM_NAMES[i.platform] ?? i.platform,
      displayName: oneLine(i.displayName),
    }))
  }

  async #whyNotConsumed(tokenHash: string, now: number): Promise<ConfirmResult> {
    const record = await this.#stores.emailTokens.find(tokenHash)
    if (!record) return { status: 'unknown' }
    if (record.usedAt !== null) return { status: 'used' }
    if (record.expiresAt <= now) return { status: 'expired' }
    // Unused and unexpired but not consumable: its account vanished.
    return { status: 'unknown' }
  }

  async #tellInChat(accountId: string, email: string, merged: boolean): Promise<void> {
    if (!this.#notifier) return
    const text = merged
      ? `Your email ${email} is verified, and your Discord and Telegram accounts are now one account: one subscription, one set of personas and one memory.`
      : `Your email ${email} is verified. Verify the same address from the other platform to link your accounts.`
    try {
      await this.#notifier.notifyAccount(accountId, { text })
    } catch (err) {
      this.#log.warn({ err, accountId }, 'could not tell the person about the verification')
    }
  }

  /**
   * Seconds until the oldest request still counted leaves the one-hour window. Found by
   * bisecting `countSince` (only reached when limited, at most ~12 small queries).
   */
  async #retryAfterSeconds(
    filter: { accountId?: string; email?: string },
    now: number,
  ): Promise<number> {
    let lo = now - HOUR_MS
    let hi = now
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2)
      if ((await this.#stores.emailTokens.countSince(filter, mid)) >= this.#maxPerHour) lo = mid
      else hi = mid
    }
    return Math.max(1, Math.ceil((hi - (now - HOUR_MS)) / 1000))
  }
}

const PLATFORM_NAMES: Record<string, string> = {
  discord: 'Discord',
  telegram: 'Telegram',
  console: 'terminal',
}

/** Display names go into mail bodies and pages: one line, bounded. */
function oneLine(text: string): string {
  return text
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim()
    .slice(0, 64)
}
