import type { Logger } from '../core/ports/logger.js'
import type { Notifier } from '../core/ports/messenger.js'
import type { TemplateContext } from './email-layout.js'
import type { EmailStores } from './email-stores.js'
import { hashToken, isTokenShaped, newSingleUseToken } from './single-use-token.js'
import { welcomeEmail } from './templates.js'

/** How long the verified account has to answer a request to link. */
export const MERGE_REQUEST_TTL_MS = 24 * 60 * 60 * 1000

/** A chat identity as pages and notices show it: what the platform says, not what a person typed. */
export interface RequesterIdentity {
  /** Platform name (Discord, Telegram). */
  readonly platform: string
  /** The platform's own numeric user id: cannot be chosen or imitated. */
  readonly platformUserId: string
  /** The platform's unique handle (`@name` on Telegram, username on Discord), when known. */
  readonly handle: string | null
  /** The name the person chose on the platform (anyone can pick any name). */
  readonly displayName: string
}

export type MergeDecision = 'approve' | 'refuse'

export type MergeInspection =
  | {
      readonly status: 'pending'
      readonly email: string
      /** The account asking to join. */
      readonly requestedBy: readonly RequesterIdentity[]
    }
  | { readonly status: 'decided' | 'expired' | 'unknown' }

export type MergeDecisionResult =
  | { readonly status: 'approved'; readonly email: string; readonly accountId: string }
  | { readonly status: 'refused'; readonly email: string }
  | { readonly status: 'decided' | 'expired' | 'unknown' }

export interface MergeConsentDeps {
  readonly stores: EmailStores
  readonly log: Logger
  readonly notifier?: Notifier | undefined
  readonly onEnqueued?: (() => void) | undefined
}

const PLATFORM_NAMES: Record<string, string> = {
  discord: 'Discord',
  telegram: 'Telegram',
  console: 'terminal',
}

/** Display names go into mail bodies, notices and pages: one line, bounded. */
function oneLine(text: string): string {
  return text
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim()
    .slice(0, 64)
}

/** "Telegram user @ann, id 123 (shown name “Ann”)" for each identity. */
export function describeIdentities(identities: readonly RequesterIdentity[]): string {
  return identities
    .map(
      (i) =>
        `${i.platform} user ${i.handle ? `${i.handle}, ` : ''}id ${i.platformUserId} (shown name “${i.displayName}”)`,
    )
    .join(', ')
}

/**
 * Consent for joining two accounts: when an address that a verified account already holds is
 * confirmed by another account, nothing merges yet. The verified account is asked in its own
 * chats (approve or refuse, through the chat notice path), and only its approval merges.
 */
export class MergeConsent {
  readonly #stores: EmailStores
  readonly #log: Logger
  readonly #notifier: Notifier | undefined
  readonly #onEnqueued: () => void
  readonly #ctx: TemplateContext

  constructor(deps: MergeConsentDeps, ctx: TemplateContext) {
    this.#stores = deps.stores
    this.#log = deps.log
    this.#notifier = deps.notifier
    this.#onEnqueued = deps.onEnqueued ?? (() => {})
    this.#ctx = ctx
  }

  async identities(
    accountId: string,
    stores: EmailStores = this.#stores,
  ): Promise<RequesterIdentity[]> {
    const identities = await stores.accounts.identities(accountId)
    return identities.map((i) => ({
      platform: PLATFORM_NAMES[i.platform] ?? i.platform,
      platformUserId: i.platformUserId,
      handle: i.handle === null ? null : oneLine(i.handle),
      displayName: oneLine(i.displayName),
    }))
  }

  /** EmailStores a request (inside the caller's transaction); returns the approval token. */
  async request(
    tx: EmailStores,
    fromAccountId: string,
    intoAccountId: string,
    email: string,
    now: number,
  ): Promise<string> {
    const { token, tokenHash } = newSingleUseToken()
    await tx.mergeRequests.insert({
      tokenHash,
      fromAccountId,
      intoAccountId,
      email,
      createdAt: now,
      expiresAt: now + MERGE_REQUEST_TTL_MS,
      decidedAt: null,
      decision: null,
    })
    return token
  }

  /** Asks the verified account in its own chats; tells the asking account it waits. */
  async ask(fromAccountId: string, intoAccountId: string, email: string, token: string) {
    if (!this.#notifier) return
    const who = describeIdentities(await this.identities(fromAccountId))
    const link = (decision: MergeDecision) =>
      `${this.#ctx.publicUrl}/verify/merge?token=${token}&decision=${decision}`
    await this.#notifier.notifyAccount(intoAccountId, {
      text:
        `Someone asked to link another account to yours. ${who} confirmed your email ${email} ` +
        'and wants to become one account with you: it would share your subscription, personas and memory. ' +
        'Approve only if that account is yours; otherwise refuse. The request expires in 24 hours.',
      links: [
        { label: 'Approve linking', url: link('approve') },
        { label: 'Refuse', url: link('refuse') },
      ],
    })
    await this.#notifier.notifyAccount(fromAccountId, {
      text: `${email} already belongs to another JustLayMe account. We asked that account, in its own chat, to approve linking; you'll hear from us here once it decides.`,
    })
  }

  async inspect(token: string, now: number): Promise<MergeInspection> {
    const record = isTokenShaped(token)
      ? await this.#stores.mergeRequests.find(hashToken(token))
      : undefined
    if (!record) return { status: 'unknown' }
    if (record.decidedAt !== null) return { status: 'decided' }
    if (record.expiresAt <= now) return { status: 'expired' }
    const from = (await this.#stores.accounts.survivorOf(record.fromAccountId)) ?? ''
    return { status: 'pending', email: record.email, requestedBy: await this.identities(from) }
  }

  /** Approving merges the asking account into the verified one; refusing only records it. */
  async decide(token: string, decision: MergeDecision, now: number): Promise<MergeDecisionResult> {
    if (!isTokenShaped(token)) return { status: 'unknown' }
    const tokenHash = hashToken(token)
    const outcome = await this.#stores.transaction(async (s) => {
      const record = await s.mergeRequests.decide(
        tokenHash,
        decision === 'approve' ? 'approved' : 'refused',
        now,
      )
      if (!record) return undefined
      const from = await s.accounts.survivorOf(record.fromAccountId)
      const into = await s.accounts.survivorOf(record.intoAccountId)
      if (decision === 'refuse' || !from || !into) {
        return { approved: false, email: record.email, from, into }
      }
      if (from !== into) await s.accounts.merge(from, into, now)
      await s.accounts.setEmailVerified(into, record.email, now)
      await s.outbox.enqueue({
        kind: 'welcome',
        to: record.email,
        ...welcomeEmail(this.#ctx, { email: record.email, merged: true }),
        dedupeKey: `welcome:${record.email}:merged:${from}`,
        createdAt: now,
      })
      return { approved: true, email: record.email, from, into }
    })
    if (!outcome) return this.#whyNotDecided(tokenHash, now)
    this.#log.info(
      { from: outcome.from, into: outcome.into, decision },
      outcome.approved ? 'account merge approved; accounts merged' : 'account merge refused',
    )
    if (outcome.approved && outcome.into) {
      this.#onEnqueued()
      await this.#notifier?.notifyAccount(outcome.into, {
        text: `Linked: your accounts are now one account (${outcome.email}): one subscription, one set of personas and one memory.`,
      })
      return { status: 'approved', email: outcome.email, accountId: outcome.into }
    }
    if (outcome.from) {
      await this.#notifier?.notifyAccount(outcome.from, {
        text: `The account that owns ${outcome.email} did not approve linking, so your accounts stay separate.`,
      })
    }
    return { status: 'refused', email: outcome.email }
  }

  async #whyNotDecided(tokenHash: string, now: number): Promise<MergeDecisionResult> {
    const record = await this.#stores.mergeRequests.find(tokenHash)
    if (!record) return { status: 'unknown' }
    if (record.decidedAt !== null) return { status: 'decided' }
    if (record.expiresAt <= now) return { status: 'expired' }
    return { status: 'unknown' }
  }
}
