import { describe, expect, it } from 'vitest'
import { createDatabase } from '../../../src/storage/create-database.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

describe.each(TEST_DIALECTS)('createSqlStores on %s', (dialect) => {
  const t = useStores(dialect)

  it('commits everything a transaction wrote', async () => {
    const id = await t.stores.transaction(async (s) => {
      const { account } = await s.accounts.resolveIdentity('discord', '1', 'A', 1)
      await s.kv.set('k', 'v')
      return account.id
    })
    expect(await t.stores.accounts.get(id)).toBeDefined()
    expect(await t.stores.kv.get('k')).toBe('v')
  })

  it('stores nothing when the transaction throws', async () => {
    await expect(
      t.stores.transaction(async (s) => {
        await s.accounts.resolveIdentity('discord', '1', 'A', 1)
        await s.usage.add('a', '2026-11-26', { messages: 1 })
        await s.outbox.enqueue({
          kind: 'k',
          to: 't@example.com',
          subject: 's',
          text: 't',
          html: 'h',
          createdAt: 1,
        })
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await t.stores.accounts.findIdentity('discord', '1')).toBeUndefined()
    expect((await t.stores.usage.get('a', '2026-11-26')).messages).toBe(0)
    expect((await t.stores.outbox.counts()).pending).toBe(0)
  })

  it('reuses the open transaction for nested calls, so an outer failure undoes them', async () => {
    await expect(
      t.stores.transaction(async (outer) => {
        const inner = await outer.transaction(async (s) => {
          await s.kv.set('nested', 'yes')
          return s
        })
        expect(inner).toBe(outer)
        throw new Error('outer failed')
      }),
    ).rejects.toThrow('outer failed')
    expect(await t.stores.kv.get('nested')).toBeUndefined()
  })

  it('creates one account and one conversation when racing transactions first see a user', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        t.stores.transaction(async (s) => {
          const { account } = await s.accounts.resolveIdentity('telegram', '5', 'Cy', 1)
          const { conversation } = await s.conversations.getOrCreate(
            `account:${account.id}`,
            'luna',
            'direct',
            1,
          )
          await s.conversations.append({
            conversationId: conversation.id,
            role: 'user',
            content: 'hi',
            status: 'complete',
            createdAt: 1,
          })
          return conversation.id
        }),
      ),
    )
    expect(new Set(results).size).toBe(1)
    expect((await t.stores.accounts.stats(0)).accounts).toBe(1)
    expect(await t.stores.conversations.count(results[0] ?? '')).toBe(4)
  })

  it('pings the database', async () => {
    await expect(t.stores.ping()).resolves.toBeUndefined()
  })
})

describe('createSqlStores ping', () => {
  it('throws when the database is unreachable', async () => {
    // Port 1 on loopback refuses connections at once.
    const handle = createDatabase('postgres://postgres@127.0.0.1:1/none')
    try {
      await expect(createSqlStores(handle.db).ping()).rejects.toThrow()
    } finally {
      await handle.destroy()
    }
  })
})
