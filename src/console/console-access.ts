import { createHash, randomBytes } from 'node:crypto'
import { LinkTokens } from '../billing/link-tokens.js'
import type { ConsoleAccess as ConsoleAccessPort } from '../core/ports/services.js'
import type { AuditLog, KeyValueStore } from '../core/ports/stores.js'
import type {
  ConsoleSession,
  SqlConsoleSessionStore,
} from '../storage/sql-console-session-store.js'

export interface ConsoleAccessDeps {
  readonly sessions: SqlConsoleSessionStore
  readonly kv: Pick<KeyValueStore, 'claim'>
  readonly audit: AuditLog
  /** LINK_SECRET (or the generated one). */
  readonly linkSecret: string
  /** Whether an admin ref is still listed in ADMINS (checked on every request). */
  readonly isAdmin: (admin: string) => boolean
}

export interface ConsoleAccessOptions {
  /** PUBLIC_URL, without a trailing slash. */
  readonly publicUrl: string
  /** CONSOLE_SESSION_HOURS in milliseconds. */
  readonly sessionMs: number
}

export type SignInResult =
  | { readonly status: 'ok'; readonly cookieValue: string; readonly session: ConsoleSession }
  | { readonly status: 'expired' | 'invalid' | 'used' | 'not_admin' }

export type LinkState = 'valid' | 'expired' | 'invalid'

/** Sign-in links are short-lived: ten minutes, like the issue asks. */
export const SIGN_IN_LINK_MS = 10 * 60_000

const hashId = (value: string) => createHash('sha256').update(value).digest('hex')

/**
 * Who may open the console: signed single-use sign-in links for listed admins, sessions keyed
 * by the hash of a random cookie value, and a per-session CSRF token. No passwords anywhere.
 */
export class ConsoleAccess implements ConsoleAccessPort {
  readonly #deps: ConsoleAccessDeps
  readonly #options: ConsoleAccessOptions
  readonly #tokens: LinkTokens

  constructor(deps: ConsoleAccessDeps, options: ConsoleAccessOptions) {
    this.#deps = deps
    this.#options = options
    this.#tokens = new LinkTokens({ secret: deps.linkSecret, ttlMs: SIGN_IN_LINK_MS })
  }

  async signInLink(
    admin: { platform: string; platformUserId: string },
    now: number,
  ): Promise<string> {
    const token = this.#tokens.issue('console', `${admin.platform}:${admin.platformUserId}`, now)
    return `${this.#options.publicUrl}/console/signin?token=${token}`
  }

  /** Whether a link still works, without using it up (the confirmation page). */
  check(token: string, now: number): LinkState {
    return this.#tokens.check(token, 'console', now).status
  }

  /** Uses the link up and opens a session. */
  async signIn(token: string, now: number): Promise<SignInResult> {
    const checked = this.#tokens.check(token, 'console', now)
    if (checked.status !== 'valid') return { status: checked.status }
    if (!this.#deps.isAdmin(checked.accountId)) return { status: 'not_admin' }
    if (!(await this.#deps.kv.claim(`console-link:${checked.jti}`, now))) return { status: 'used' }
    const cookieValue = randomBytes(32).toString('base64url')
    const session: ConsoleSession = {
      admin: checked.accountId,
      csrfToken: randomBytes(24).toString('base64url'),
      expiresAt: now + this.#options.sessionMs,
    }
    await this.#deps.sessions.create(hashId(cookieValue), session, now)
    await this.#deps.audit.record({
      actor: session.admin,
      action: 'sign in',
      target: 'console',
      detail: '',
      createdAt: now,
    })
    return { status: 'ok', cookieValue, session }
  }

  /** The live session behind a cookie value, when its admin is still listed. */
  async session(cookieValue: string | undefined, now: number): Promise<ConsoleSession | undefined> {
    if (!cookieValue || cookieValue.length > 100) return undefined
    const session = await this.#deps.sessions.find(hashId(cookieValue), now)
    return session && this.#deps.isAdmin(session.admin) ? session : undefined
  }

  async signOut(cookieValue: string, actor: string, now: number): Promise<void> {
    await this.#deps.sessions.delete(hashId(cookieValue))
    await this.#deps.audit.record({
      actor,
      action: 'sign out',
      target: 'console',
      detail: '',
      createdAt: now,
    })
  }

  async revokeAll(actor: string, now: number): Promise<number> {
    const ended = await this.#deps.sessions.deleteAll(now)
    await this.#deps.audit.record({
      actor,
      action: 'revoke all sessions',
      target: 'console',
      detail: `${ended} ended`,
      createdAt: now,
    })
    return ended
  }
}
