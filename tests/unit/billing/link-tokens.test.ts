import { describe, expect, it } from 'vitest'
import { LinkTokens } from '../../../src/billing/link-tokens.js'

const NOW = 1_800_000_000_000
const tokens = new LinkTokens({ secret: 's'.repeat(40) })

describe('LinkTokens', () => {
  it('accepts its own token for the same purpose within the hour', () => {
    const token = tokens.issue('subscribe', 'acc-1', NOW)
    const checked = tokens.check(token, 'subscribe', NOW + 59 * 60_000)
    expect(checked).toMatchObject({ status: 'valid', accountId: 'acc-1' })
  })

  it('gives every token its own id', () => {
    const a = tokens.check(tokens.issue('subscribe', 'acc-1', NOW), 'subscribe', NOW)
    const b = tokens.check(tokens.issue('subscribe', 'acc-1', NOW), 'subscribe', NOW)
    expect(a.status === 'valid' && b.status === 'valid' && a.jti !== b.jti).toBe(true)
  })

  it('refuses a token whose text is not exactly what was issued', () => {
    const token = tokens.issue('subscribe', 'acc-1', NOW)
    const [body, sig] = token.split('.') as [string, string]
    for (const forged of [
      `${body}..${sig}`,
      `${body}.${sig}!`,
      `${body}.${sig.slice(0, 3)}=${sig.slice(3)}`,
      ` ${token}`,
    ]) {
      expect(tokens.check(forged, 'subscribe', NOW)).toEqual({ status: 'invalid' })
    }
  })

  it('expires after one hour', () => {
    const token = tokens.issue('subscribe', 'acc-1', NOW)
    expect(tokens.check(token, 'subscribe', NOW + 60 * 60_000)).toEqual({ status: 'expired' })
  })

  it('refuses a token issued for another purpose', () => {
    const token = tokens.issue('billing', 'acc-1', NOW)
    expect(tokens.check(token, 'subscribe', NOW)).toEqual({ status: 'invalid' })
  })

  it('refuses a token signed with another secret', () => {
    const other = new LinkTokens({ secret: 'o'.repeat(40) })
    const token = other.issue('subscribe', 'acc-1', NOW)
    expect(tokens.check(token, 'subscribe', NOW)).toEqual({ status: 'invalid' })
  })

  it('refuses a token whose payload was changed', () => {
    const [body, sig] = tokens.issue('subscribe', 'acc-1', NOW).split('.')
    const changed = Buffer.from(
      Buffer.from(body as string, 'base64url')
        .toString()
        .replace('acc-1', 'acc-2'),
    ).toString('base64url')
    expect(tokens.check(`${changed}.${sig}`, 'subscribe', NOW)).toEqual({ status: 'invalid' })
  })

  it.each(['', '.', 'abc', 'abc.', '.abc', 'a.b.c', '%%%.%%%'])('refuses malformed %j', (bad) => {
    expect(tokens.check(bad, 'subscribe', NOW)).toEqual({ status: 'invalid' })
  })
})
