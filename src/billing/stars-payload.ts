import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export type StarsPayloadCheck =
  | {
      readonly status: 'valid'
      readonly accountId: string
      readonly price: number
      readonly nonce: string
      readonly expiresAt: number
    }
  | { readonly status: 'expired'; readonly accountId: string; readonly nonce: string }
  | { readonly status: 'invalid' }

export interface StarsPayloadsOptions {
  /** LINK_SECRET: the HMAC key is derived from it for this purpose only. */
  readonly secret: string
  /** How long an invoice may be paid after `/subscribe` (default one hour). */
  readonly ttlMs?: number | undefined
}

const VERSION = 's1'
const DEFAULT_TTL_MS = 60 * 60_000
/** Telegram's limit for `payload`: 1-128 bytes. */
export const MAX_PAYLOAD_BYTES = 128
const SHAPE =
  /^s1\.([A-Za-z0-9-]{1,40})\.([0-9a-z]{1,10})\.([0-9a-z]{1,6})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})$/

/**
 * Invoice payloads for Stars subscriptions: `s1.<account>.<expiry>.<price>.<nonce>.<mac>`,
 * the MAC a truncated HMAC-SHA256 over everything before it. A payload names the account it
 * was made for, the price it was made at and a random nonce; single use is the caller's job
 * (it claims the nonce with the first payment).
 */
export class StarsPayloads {
  readonly #key: Buffer
  readonly #ttlMs: number

  constructor(options: StarsPayloadsOptions) {
    this.#key = createHmac('sha256', options.secret).update('justlayme:stars-payload:v1').digest()
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS
  }

  issue(accountId: string, price: number, now: number): string {
    const expiry = Math.ceil((now + this.#ttlMs) / 1000).toString(36)
    const nonce = randomBytes(12).toString('base64url')
    const body = `${VERSION}.${accountId}.${expiry}.${price.toString(36)}.${nonce}`
    const payload = `${body}.${this.#mac(body)}`
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      throw new RangeError(`stars payload too long for account id ${accountId}`)
    }
    return payload
  }

  /** Checks shape, signature and expiry; never throws on malformed input. */
  check(payload: string, now: number): StarsPayloadCheck {
    const m = SHAPE.exec(payload)
    if (!m) return { status: 'invalid' }
    const [, accountId, expiry, price, nonce, mac] = m as unknown as string[]
    const body = payload.slice(0, payload.lastIndexOf('.'))
    const given = Buffer.from(mac as string, 'utf8')
    const expected = Buffer.from(this.#mac(body), 'utf8')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { status: 'invalid' }
    }
    const expiresAt = Number.parseInt(expiry as string, 36) * 1000
    if (now >= expiresAt) {
      return { status: 'expired', accountId: accountId as string, nonce: nonce as string }
    }
    return {
      status: 'valid',
      accountId: accountId as string,
      price: Number.parseInt(price as string, 36),
      nonce: nonce as string,
      expiresAt,
    }
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key)
      .update(body)
      .digest()
      .subarray(0, 16)
      .toString('base64url')
  }
}
