import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Stores } from '../../../src/core/ports/stores.js'
import type { Role } from '../../../src/core/types.js'
import { PERSONAL_TABLES } from '../../../src/storage/scrub-deleted.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

async function account(stores: Stores, platformUserId: string, name: string) {
  return (await stores.accounts.resolveIdentity('telegram', platformUserId, name, 1_000)).account
}

async function post(
  stores: Stores,
  conversationId: string,
  role: Role,
  content: string,
  accountId: string | null = null,
) {
  return stores.conversations.append({
    conversationId,
    role,
    accountId,
    speakerName: accountId ? 'someone' : null,
    content,
    status: 'complete',
    createdAt: 2_000,
  })
}

async function contents(stores: Stores, conversationId: string) {
  return (await stores.conversations.recent(conversationId, 100)).map((m) => m.content)
}

describe.each(TEST_DIALECTS)('SqlPersonalDataStore on %s', (dialect) => {
  const t = useStores(dialect)

  /** Ann and Bob talk in a group; Ann also has a DM, mail and an email link. */
  async function scene() {
    const { stores } = t
    const ann = await account(stores, '1', 'Ann')
    const bob = await account(stores, '2', 'Bob')
    const dm = (await stores.conversations.getOrCreate(`account:${ann.id}`, 'nova', 'direct', 1))
      .conversation
    await post(stores, dm.id, 'user', 'ann private words', ann.id)
    await post(stores, dm.id, 'assistant', 'reply to ann in private')
    await stores.conversations.setSummary(dm.id, 'ann private summary', null, 3)
    const room = (await stores.conversations.getOrCreate('telegram:-100', 'nova', 'group', 1))
      .conversation
    await post(stores, room.id, 'assistant', 'greeting of the group')
    await post(stores, room.id, 'user', 'ann in the group', ann.id)
    await post(stores, room.id, 'assistant', 'answer to ann')
    await post(stores, room.id, 'user', 'bob in the group', bob.id)
    await post(stores, room.id, 'assistant', 'answer to bob')
    await post(stores, room.id, 'user', 'ann again', ann.id)
    await post(stores, room.id, 'assistant', 'answer to ann again, part 1')
    await post(stores, room.id, 'assistant', 'answer to ann again, part 2')
    await stores.conversations.setSummary(room.id, 'ann and bob talked', null, 3)
    await stores.accounts.setEmailVerified(ann.id, 'ann@example.com', 4)
    const mail = {
      kind: 'welcome',
      subject: 'Hi',
      text: 'quoting ann',
      html: '<p>quoting ann</p>',
      createdAt: 5,
    }
    await stores.outbox.enqueue({ ...mail, to: 'ann@example.com' })
    await stores.outbox.enqueue({ ...mail, to: 'bob@example.com', text: 'for bob' })
    const link = { email: 'ann@example.com', expiresAt: 10, usedAt: null, createdAt: 5 }
    await stores.emailTokens.insert({ ...link, tokenHash: 'h-ann', accountId: ann.id })
    await stores.emailTokens.insert({ ...link, tokenHash: 'h-bob', accountId: bob.id })
    // Someone asked to link to Ann's verified address: the request quotes it.
    await stores.mergeRequests.insert({
      tokenHash: 'm-ann',
      fromAccountId: bob.id,
      intoAccountId: ann.id,
      email: 'ann@example.com',
      createdAt: 5,
      expiresAt: 10,
      decidedAt: null,
      decision: null,
    })
    return { ann, bob, dm, room }
  }

  it('lists the conversations and the group messages of a person', async () => {
    const { ann, dm, room } = await scene()
    expect((await t.stores.personalData.conversationsOf(ann.id)).sort()).toEqual(
      [dm.id, room.id].sort(),
    )
    const mine = await t.stores.personalData.groupMessages(ann.id)
    expect(mine.map((m) => [m.chat, m.personaId, m.content])).toEqual([
      ['telegram:-100', 'nova', 'ann in the group'],
      ['telegram:-100', 'nova', 'ann again'],
    ])
  })

  it('erases what holds the person’s words and keeps everyone else’s', async () => {
    const { ann, bob, dm, room } = await scene()
    const erased = await t.stores.transaction((tx) =>
      tx.personalData.erase(ann.id, 'ann@example.com'),
    )
    expect(erased).toEqual({
      conversations: 1,
      groupMessages: 5,
      groupSummaries: 1,
      emails: 1,
      emailLinks: 2,
    })
    expect(await t.stores.conversations.get(dm.id)).toBeUndefined()
    expect(await contents(t.stores, dm.id)).toEqual([])
    expect(await contents(t.stores, room.id)).toEqual([
      'greeting of the group',
      'bob in the group',
      'answer to bob',
    ])
    expect((await t.stores.conversations.get(room.id))?.summary).toBeNull()
    expect((await t.stores.outbox.due(100, 10)).map((m) => m.to)).toEqual(['bob@example.com'])
    expect(await t.stores.emailTokens.find('h-ann')).toBeUndefined()
    expect(await t.stores.emailTokens.find('h-bob')).toBeDefined()
    expect(await t.stores.mergeRequests.find('m-ann')).toBeUndefined()
    // The account itself stays.
    expect((await t.stores.accounts.get(ann.id))?.email).toBe('ann@example.com')
    expect(await t.stores.personalData.groupMessages(bob.id)).toHaveLength(1)
  })

  it('refuses to scrub inside a transaction', async () => {
    await expect(t.stores.transaction((tx) => tx.scrubDeleted())).rejects.toThrow(/transaction/)
  })

  if (dialect === 'postgres') {
    it('vacuums the personal tables after a deletion, so the rows are gone', async () => {
      const { ann } = await scene()
      const schema = t.handle.schema
      const vacuums = async () => {
        const result = await sql<{ relname: string; vacuum_count: number }>`
          select relname, vacuum_count from pg_stat_user_tables where schemaname = ${schema}`.execute(
          t.handle.db,
        )
        return Object.fromEntries(result.rows.map((r) => [r.relname, Number(r.vacuum_count)]))
      }
      const before = await vacuums()
      await t.stores.transaction((tx) => tx.personalData.erase(ann.id, 'ann@example.com'))
      const report = await t.stores.scrubDeleted()
      expect(report).toEqual({
        dialect: 'postgres',
        vacuumed: [...PERSONAL_TABLES],
        walTruncated: false,
      })
      const after = await vacuums()
      for (const table of PERSONAL_TABLES) {
        expect(after[table], table).toBe((before[table] ?? 0) + 1)
      }
      const left = await t.handle.db
        .selectFrom('message')
        .select('content')
        .where('content', 'like', '%ann%')
        .execute()
      expect(left).toEqual([])
    })
  }
})
