import { describe, expect, it } from 'vitest'
import { StarsPayloads } from '../../../src/billing/stars-payload.js'

const SECRET = 's'.repeat(40)
const ACCOUNT = '0b9f5a8e-1234-4c56-89ab-0123456789ab'
const NOW = Date.parse('2026-12-04T12:00:00Z')

describe('StarsPayloads', () => {
  const payloads = new StarsPayloads({ secret: SECRET, ttlMs: 60_000 })

  it("issues payloads within Telegram's 128 bytes that name the account, price and a nonce", () => {
    const payload = payloads.issue(ACCOUNT, 10_000, NOW)
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(128)
    const check = payloads.check(payload, NOW)
    expect(check).toMatchObject({ status: 'valid', accountId: ACCOUNT, price: 10_000 })
    expect(payloads.issue(ACCOUNT, 10_000, NOW)).not.toBe(payload)
  })

  it('refuses any changed character, another key, and garbage', () => {
    const payload = payloads.issue(ACCOUNT, 250, NOW)
    for (let i = 0; i < payload.length; i++) {
      const c = payload[i] === 'a' ? 'b' : 'a'
      const changed = payload.slice(0, i) + c + payload.slice(i + 1)
      expect(payloads.check(changed, NOW).status).not.toBe('valid')
    }
    const other = new StarsPayloads({ secret: 'o'.repeat(40) })
    expect(other.check(payload, NOW).status).toBe('invalid')
    // The price is signed: raising it breaks the signature.
    expect(payloads.check(payload.replace('.6y.', '.6z.'), NOW).status).toBe('invalid')
    for (const bad of ['', 's1', 'x'.repeat(200), `${payload}.`, payload.toUpperCase()]) {
      expect(payloads.check(bad, NOW).status).toBe('invalid')
    }
  })

  it('expires after its time to live', () => {
    const payload = payloads.issue(ACCOUNT, 250, NOW)
    expect(payloads.check(payload, NOW + 59_000).status).toBe('valid')
    expect(payloads.check(payload, NOW + 61_000)).toMatchObject({
      status: 'expired',
      accountId: ACCOUNT,
    })
  })
})
