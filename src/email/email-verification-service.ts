import type { Logger } from '../core/ports/logger.js'
import type { Notifier } from '../core/ports/messenger.js'
import type { StartVerificationResult, VerificationService } from '../core/ports/services.js'
import { normalizeEmailAddress } from './address.js'
import type { TemplateContext } from './email-layout.js'
import type { EmailStores, EmailTokenRecord } from './email-stores.js'
import type { ConfirmResult, EmailVerifier, TokenInspection } from './email-verifier.js'
import {
  MergeConsent,
  type MergeDecision,
  type MergeDecisionResult,
  type MergeInspection,
  type RequesterIdentity,
} from './merge-consent.js'
import { hashToken, isTokenShaped, newSingleUseToken } from './single-use-token.js'
import { verificationEmail, welcomeEmail } from './templates.js'
import { VerificationRateLimit } from './verification-rate-limit.js'

export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000

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

/**
 * Email verification: `start` emails a single-use link (only the token's SHA-256 is stored),
 * `inspect` backs the GET page, `confirm` the POST. Confirming an address another account
 * already verified merges nothing: that account is asked in its own chats (`MergeConsent`)
 * and the accounts become one only when it approves.
 */
export class EmailVerificationService implements VerificationService, EmailVerifier {
  readonly #stores: EmailStores
  readonly #log: Logger
  readonly #notifier: Notifier | undefined
  readonly #onEnqueued: () => void
  readonly #ctx: TemplateContext
  readonly #ttlMs: number
  readonly #rateLimit: VerificationRateLimit
  readonly #consent: MergeConsent

  constructor(deps: EmailVerificationServiceDeps, options: EmailVerificationServiceOptions) {
    this.#stores = deps.stores
    this.#log = deps.log
    this.#notifier = deps.notifier
    this.#onEnqueued = deps.onEnqueued ?? (() => {})
    this.#ctx = { publicUrl: options.publicUrl.replace(/\/+$/, '') }
    this.#ttlMs = options.tokenTtlMs ?? TOKEN_TTL_MS
    this.#rateLimit = new VerificationRateLimit(deps.stores.emailTokens, options.maxPerHour)
    this.#consent = new MergeConsent(deps, this.#ctx)
  }

  inspectMerge(token: string, now: number): Promise<MergeInspection> {
    return this.#consent.inspect(token, now)
  }

  decideMerge(token: string, decision: MergeDecision, now: number): Promise<MergeDecisionResult> {
    return this.#consent.decide(token, decision, now)
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
    const limited = await this.#rateLimit.check(accountId, email, now)
    if (limited) {
      this.#log.info({ accountId, ...limited }, 'verification rate-limited')
      return { status: 'rate_limited', retryAfterSeconds: limited.retryAfterSeconds }
    }

    const { token, tokenHash } = newSingleUseToken()
    const mail = verificationEmail(this.#ctx, {
      link: `${this.#ctx.publicUrl}/verify?token=${token}`,
      requestedBy: await this.#requesters(accountId),
    })
    await this.#stores.transaction(async (s) => {
      await s.emailTokens.insert({
        tokenHash,
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
    if (!isTokenShaped(token)) return { status: 'unknown' }
    const record = await this.#stores.emailTokens.find(hashToken(token))
    if (!record) return { status: 'unknown' }
    const unusable = whyUnusable(record, now)
    if (unusable) return { status: unusable }
    return {
      status: 'valid',
      email: record.email,
      expiresAt: record.expiresAt,
      requestedBy: await this.#requesters(record.accountId),
    }
  }

  async confirm(token: string, now: number): Promise<ConfirmResult> {
    if (!isTokenShaped(token)) return { status: 'unknown' }
    const tokenHash = hashToken(token)
    const outcome = await this.#stores.transaction(async (s) => {
      const consumed = await s.emailTokens.consume(tokenHash, now)
      if (!consumed) return undefined
      const account = await s.accounts.get(consumed.accountId)
      if (!account) return undefined
      const owner = await s.accounts.findByEmail(consumed.email)
      if (owner && owner.id !== account.id) {
        // The address belongs to an account that proved it first: only its approval merges.
        const approval = await this.#consent.request(s, account.id, owner.id, consumed.email, now)
        return {
          email: consumed.email,
          accountId: account.id,
          pending: { owner: owner.id, approval },
        }
      }
      await s.accounts.setEmailVerified(account.id, consumed.email, now)
      const mail = welcomeEmail(this.#ctx, { email: consumed.email, merged: false })
      await s.outbox.enqueue({
        kind: 'welcome',
        to: consumed.email,
        ...mail,
        dedupeKey: `welcome:${consumed.email}`,
        createdAt: now,
      })
      return { email: consumed.email, accountId: account.id, pending: undefined }
    })
    if (!outcome) return this.#whyNotConsumed(tokenHash, now)

    if (outcome.pending) {
      this.#log.info(
        { accountId: outcome.accountId, owner: outcome.pending.owner },
        'email confirmed for an address another account holds; asked that account to approve',
      )
      try {
        await this.#consent.ask(
          outcome.accountId,
          outcome.pending.owner,
          outcome.email,
          outcome.pending.approval,
        )
      } catch (err) {
        this.#log.warn({ err, accountId: outcome.accountId }, 'could not ask for merge approval')
      }
      return { status: 'awaiting_approval', email: outcome.email }
    }
    this.#log.info({ accountId: outcome.accountId }, 'email verified')
    this.#onEnqueued()
    await this.#tellInChat(outcome.accountId, outcome.email)
    return { status: 'verified', email: outcome.email, accountId: outcome.accountId, merged: false }
  }

  #requesters(accountId: string): Promise<RequesterIdentity[]> {
    return this.#consent.identities(accountId)
  }

  async #whyNotConsumed(tokenHash: string, now: number): Promise<ConfirmResult> {
    const record = await this.#stores.emailTokens.find(tokenHash)
    if (!record) return { status: 'unknown' }
    // Unused and unexpired but not consumable: its account vanished.
    return { status: whyUnusable(record, now) ?? 'unknown' }
  }

  async #tellInChat(accountId: string, email: string): Promise<void> {
    if (!this.#notifier) return
    const text = `Your email ${email} is verified. Verify the same address from the other platform to link your accounts.`
    try {
      await this.#notifier.notifyAccount(accountId, { text })
    } catch (err) {
      this.#log.warn({ err, accountId }, 'could not tell the person about the verification')
    }
  }
}

/** Why a stored token cannot be used at `now`, or null when it can. */
function whyUnusable(record: EmailTokenRecord, now: number): 'used' | 'expired' | null {
  if (record.usedAt !== null) return 'used'
  if (record.expiresAt <= now) return 'expired'
  return null
}
