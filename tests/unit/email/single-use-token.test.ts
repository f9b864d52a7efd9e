import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hashToken, isTokenShaped, newSingleUseToken } from '../../../src/email/single-use-token.js'

describe('single-use tokens', () => {
  it('issues a fresh 43-character base64url token and stores only its SHA-256', () => {
    const a = newSingleUseToken()
    const b = newSingleUseToken()
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(a.token).not.toBe(b.token)
    expect(a.tokenHash).toBe(createHash('sha256').update(a.token).digest('hex'))
    expect(hashToken(a.token)).toBe(a.tokenHash)
  })

  it('recognises only strings shaped like its tokens', () => {
    expect(isTokenShaped(newSingleUseToken().token)).toBe(true)
    for (const bad of ['', 'short', `${'a'.repeat(43)}=`, `${'a'.repeat(42)}!`, 'a'.repeat(44)]) {
      expect(isTokenShaped(bad)).toBe(false)
    }
  })
})
