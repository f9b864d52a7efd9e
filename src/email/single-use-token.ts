import { createHash, randomBytes } from 'node:crypto'

// 32 random bytes in base64url, without padding.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** A new single-use link token and the SHA-256 hash that is all we store of it. */
export function newSingleUseToken(): { readonly token: string; readonly tokenHash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, tokenHash: hashToken(token) }
}

/** The stored form of a token (hex SHA-256). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** True when `token` could be one of ours; anything else is unknown without a database look-up. */
export function isTokenShaped(token: string): boolean {
  return TOKEN_SHAPE.test(token)
}
