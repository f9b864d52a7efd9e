import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export type LinkPurpose = 'subscribe' | 'billing' | 'console'

export type LinkCheck =
  | { readonly status: 'valid'; readonly accountId: string; readonly jti: string }
  | { readonly status: 'expired' }
  | { readonly status: 'invalid' }

export interface LinkTokensOptions {
  /** LINK_SECRET: the HMAC-SHA256 key. */
  readonly secret: string
  /** How long a link works (default one hour). */
  readonly ttlMs?: number | undefined
}

interface Payload {
  readonly p: LinkPurpose
  readonly a: string
  readonly e: number
  readonly j: string
}

const DEFAULT_TTL_MS = 60 * 60_000

const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * Signed, expiring links bound to an account and a purpose: `<payload>.<signature>`, both
 * base64url, the signature HMAC-SHA256 over the payload. Single use is the caller's job: it
 * claims the returned `jti` once.
 */
export class LinkTokens {
  readonly #key: Buffer
  readonly #ttlMs: number

  constructor(options: LinkTokensOptions) {
    // A purpose-specific key, so these tokens never verify as another feature's tokens.
    this.#key = createHmac('sha256', options.secret).update('justlayme:billing-links:v1').digest()
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS
  }

  issue(purpose: LinkPurpose, accountId: string, now: number): string {
    const payload: Payload = {
      p: purpose,
      a: accountId,
      e: now + this.#ttlMs,
      j: randomBytes(16).toString('base64url'),
    }
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
    return `${body}.${this.#sign(body)}`
  }

  /** Checks signature, purpose and expiry; never throws on malformed input. */
  check(token: string, purpose: LinkPurpose, now: number): LinkCheck {
    // Exactly `<base64url>.<base64url>`: base64url decoding skips stray characters, so the
    // text itself must be canonical for a link to match byte for byte.
    if (token.length > 1024 || !TOKEN_SHAPE.test(token)) return { status: 'invalid' }
    const dot = token.indexOf('.')
    const body = token.slice(0, dot)
    const given = Buffer.from(token.slice(dot + 1), 'utf8')
    const expected = Buffer.from(this.#sign(body), 'utf8')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { status: 'invalid' }
    }
    let payload: Partial<Payload>
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>
    } catch {
      return { status: 'invalid' }
    }
    if (
      payload.p !== purpose ||
      typeof payload.a !== 'string' ||
      typeof payload.e !== 'number' ||
      typeof payload.j !== 'string'
    ) {
      return { status: 'invalid' }
    }
    if (now >= payload.e) return { status: 'expired' }
    return { status: 'valid', accountId: payload.a, jti: payload.j }
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url')
  }
}
