import { describe, expect, it } from 'vitest'
import { SqlConsoleReports } from '../../../src/storage/sql-console-reports.js'
import { SqlConsoleSessionStore } from '../../../src/storage/sql-console-session-store.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

describe.each(TEST_DIALECTS)('console stores on %s', (dialect) => {
  const t = useStores(dialect)

  it('a block gives exactly one refusal, even to concurrent messages, until unblocked', async () => {
    const { account } = await t.stores.accounts.resolveIdentity('telegram', '42', 'Ann', 1, '@ann')
    expect(await t.stores.blocks.isBlocked(account.id)).toBe(false)
    await t.stores.blocks.block(account.id, 'telegram:1', 10)
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => t.stores.blocks.claimRefusal(account.id, 11)),
    )
    expect(claims.filter(Boolean)).toHaveLength(1)
    expect(await t.stores.blocks.list()).toEqual([
      { accountId: account.id, blockedBy: 'telegram:1', blockedAt: 10 },
    ])
    expect(await t.stores.blocks.unblock(account.id)).toBe(true)
    expect(await t.stores.blocks.isBlocked(account.id)).toBe(false)
  })

  it('usage with a place rolls up per day, platform and persona, and counts people once', async () => {
    const reports = new SqlConsoleReports(t.handle.db)
    const where = { platform: 'telegram' as const, personaId: 'ilse' }
    await t.stores.usage.add(
      'a',
      '2026-12-04',
      { messages: 1, promptTokens: 10, completionTokens: 5 },
      where,
    )
    await t.stores.usage.add('a', '2026-12-04', { messages: 1, promptTokens: 10 }, where)
    await t.stores.usage.add(
      'b',
      '2026-12-04',
      { messages: 1 },
      { platform: 'discord', personaId: 'ilse' },
    )
    await t.stores.usage.add('c', '2026-12-03', { messages: 1 }, where)
    expect(await reports.today('2026-12-04')).toEqual({ messages: 3, tokens: 25, people: 2 })
    expect(await reports.usage('2026-12-04')).toEqual(
      expect.arrayContaining([
        { day: '2026-12-04', platform: 'telegram', personaId: 'ilse', messages: 2, tokens: 25 },
        { day: '2026-12-04', platform: 'discord', personaId: 'ilse', messages: 1, tokens: 0 },
      ]),
    )
    expect(await reports.activePeople('2026-12-03')).toHaveLength(3)
  })

  it('finds people by handle, platform:id and email; stores only hashed sessions', async () => {
    const reports = new SqlConsoleReports(t.handle.db)
    const { account } = await t.stores.accounts.resolveIdentity(
      'discord',
      '77',
      'Bo',
      1,
      'bo_the_50%',
    )
    await t.stores.accounts.setEmailVerified(account.id, 'bo@example.com', 2)
    for (const q of ['@BO_THE', 'discord:77', 'BO@example.com', account.id]) {
      expect((await reports.searchPeople(q)).map((p) => p.accountId)).toEqual([account.id])
    }
    expect(await reports.searchPeople('discord:78')).toEqual([])
    const sessions = new SqlConsoleSessionStore(t.handle.db)
    await sessions.create('hash-1', { admin: 'telegram:1', csrfToken: 'c', expiresAt: 100 }, 0)
    expect(await sessions.find('hash-1', 50)).toMatchObject({ admin: 'telegram:1' })
    expect(await sessions.find('hash-1', 100)).toBeUndefined()
    expect(await sessions.deleteAll(50)).toBe(1)
    expect(await sessions.find('hash-1', 50)).toBeUndefined()
  })
})
