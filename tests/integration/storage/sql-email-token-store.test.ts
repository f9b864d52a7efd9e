import { describe, expect, it } from 'vitest'
import type { EmailTokenRecord } from '../../../src/email/email-stores.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

const token: EmailTokenRecord = {
  tokenHash: 'hash-1',
  accountId: 'acc-1',
  email: 'ann@example.com',
  expiresAt: 10_000,
  usedAt: null,
  createdAt: 1_000,
}

describe.each(TEST_DIALECTS)('SqlEmailTokenStore on %s', (dialect) => {
  const t = useStores(dialect)

  it('inserts and finds a token by hash', async () => {
    await t.stores.emailTokens.insert(token)
    expect(await t.stores.emailTokens.find('hash-1')).toEqual(token)
    expect(await t.stores.emailTokens.find('other')).toBeUndefined()
  })

  it('consumes a token once', async () => {
    await t.stores.emailTokens.insert(token)
    expect(await t.stores.emailTokens.consume('hash-1', 5_000)).toEqual({
      ...token,
      usedAt: 5_000,
    })
    expect(await t.stores.emailTokens.consume('hash-1', 6_000)).toBeUndefined()
    expect((await t.stores.emailTokens.find('hash-1'))?.usedAt).toBe(5_000)
  })

  it('lets exactly one of concurrent consumers win', async () => {
    await t.stores.emailTokens.insert(token)
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.stores.emailTokens.consume('hash-1', 5_000)),
    )
    expect(results.filter((r) => r !== undefined)).toHaveLength(1)
  })

  it('does not consume an expired or unknown token', async () => {
    await t.stores.emailTokens.insert(token)
    expect(await t.stores.emailTokens.consume('hash-1', 10_000)).toBeUndefined()
    expect(await t.stores.emailTokens.consume('nope', 1)).toBeUndefined()
    expect((await t.stores.emailTokens.find('hash-1'))?.usedAt).toBeNull()
  })

  it('counts tokens since a time by account and by address', async () => {
    await t.stores.emailTokens.insert(token)
    await t.stores.emailTokens.insert({ ...token, tokenHash: 'h2', createdAt: 2_000 })
    await t.stores.emailTokens.insert({
      ...token,
      tokenHash: 'h3',
      accountId: 'acc-2',
      createdAt: 3_000,
    })
    await t.stores.emailTokens.insert({
      ...token,
      tokenHash: 'h4',
      email: 'bo@example.com',
      createdAt: 3_000,
    })
    expect(await t.stores.emailTokens.countSince({ accountId: 'acc-1' }, 0)).toBe(3)
    expect(await t.stores.emailTokens.countSince({ accountId: 'acc-1' }, 2_000)).toBe(2)
    expect(await t.stores.emailTokens.countSince({ email: 'ann@example.com' }, 1_500)).toBe(2)
    expect(
      await t.stores.emailTokens.countSince({ accountId: 'acc-1', email: 'bo@example.com' }, 0),
    ).toBe(1)
  })
})
