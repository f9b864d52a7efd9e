import { describe, expect, it } from 'vitest'
import type { NewMessage } from '../../../src/core/types.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

describe.each(TEST_DIALECTS)('SqlConversationStore on %s', (dialect) => {
  const t = useStores(dialect)

  const open = async (scopeKey = 'account:a', personaId = 'luna') =>
    (await t.stores.conversations.getOrCreate(scopeKey, personaId, 'direct', 1_000)).conversation

  const say = (conversationId: string, content: string, extra: Partial<NewMessage> = {}) =>
    t.stores.conversations.append({
      conversationId,
      role: 'user',
      content,
      status: 'complete',
      createdAt: 2_000,
      ...extra,
    })

  it('creates a conversation once per scope and persona', async () => {
    const first = await t.stores.conversations.getOrCreate('telegram:5', 'luna', 'group', 1_000)
    expect(first.created).toBe(true)
    expect(first.conversation).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scopeKey: 'telegram:5',
      kind: 'group',
      personaId: 'luna',
      summary: null,
      summaryUpTo: null,
      createdAt: 1_000,
      updatedAt: 1_000,
    })
    const again = await t.stores.conversations.getOrCreate('telegram:5', 'luna', 'group', 2_000)
    expect(again).toEqual({ conversation: first.conversation, created: false })
    const other = await t.stores.conversations.getOrCreate('telegram:5', 'max', 'group', 2_000)
    expect(other.conversation.id).not.toBe(first.conversation.id)
  })

  it('creates one conversation when first messages race', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.stores.conversations.getOrCreate('discord:9', 'luna', 'group', 1),
      ),
    )
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1)
    expect(results.filter((r) => r.created)).toHaveLength(1)
  })

  it('gets a conversation by id and lists a scope', async () => {
    const a = await open('account:x', 'luna')
    const b = await open('account:x', 'max')
    await open('account:y', 'luna')
    expect(await t.stores.conversations.get(a.id)).toEqual(a)
    expect(await t.stores.conversations.get('missing')).toBeUndefined()
    const listed = await t.stores.conversations.listByScope('account:x')
    expect(listed.map((c) => c.id).sort()).toEqual([a.id, b.id].sort())
  })

  it('appends messages with every field and increasing ids', async () => {
    const c = await open()
    const first = await say(c.id, 'hello', { accountId: 'a', speakerName: 'Ann' })
    const second = await say(c.id, 'hi!', {
      role: 'assistant',
      status: 'partial',
      promptTokens: 12,
      completionTokens: 3,
      model: 'llama3',
      createdAt: 3_000,
    })
    expect(first).toEqual({
      id: expect.any(Number),
      conversationId: c.id,
      role: 'user',
      accountId: 'a',
      speakerName: 'Ann',
      content: 'hello',
      promptTokens: null,
      completionTokens: null,
      status: 'complete',
      model: null,
      createdAt: 2_000,
    })
    expect(second).toMatchObject({ role: 'assistant', status: 'partial', promptTokens: 12 })
    expect(second.id).toBeGreaterThan(first.id)
  })

  it('returns the newest messages oldest first, paging with beforeId', async () => {
    const c = await open()
    const other = await open('account:b')
    const ids: number[] = []
    for (let i = 0; i < 10; i++) {
      ids.push((await say(c.id, `m${i}`)).id)
      await say(other.id, `noise${i}`)
    }
    const newest = await t.stores.conversations.recent(c.id, 3)
    expect(newest.map((m) => m.content)).toEqual(['m7', 'm8', 'm9'])
    const older = await t.stores.conversations.recent(c.id, 3, newest[0]?.id)
    expect(older.map((m) => m.content)).toEqual(['m4', 'm5', 'm6'])
    expect(await t.stores.conversations.recent(c.id, 50, ids[0])).toEqual([])
    expect(await t.stores.conversations.recent(c.id, 0)).toEqual([])
    expect(await t.stores.conversations.count(c.id)).toBe(10)
  })

  it('patches only the given fields of a message', async () => {
    const c = await open()
    const m = await say(c.id, 'draft', { role: 'assistant', status: 'partial', model: 'a' })
    await t.stores.conversations.update(m.id, { content: 'final', status: 'complete' })
    await t.stores.conversations.update(m.id, { promptTokens: 5, completionTokens: 7 })
    await t.stores.conversations.update(m.id, {})
    const [stored] = await t.stores.conversations.recent(c.id, 1)
    expect(stored).toMatchObject({
      content: 'final',
      status: 'complete',
      promptTokens: 5,
      completionTokens: 7,
      model: 'a',
    })
  })

  it('deletes one message', async () => {
    const c = await open()
    const keep = await say(c.id, 'keep')
    const drop = await say(c.id, 'drop')
    await t.stores.conversations.deleteMessage(drop.id)
    expect(await t.stores.conversations.recent(c.id, 10)).toEqual([keep])
  })

  it('stores and clears the summary', async () => {
    const c = await open()
    const m = await say(c.id, 'x')
    await t.stores.conversations.setSummary(c.id, 'they talked', m.id, 9_000)
    expect(await t.stores.conversations.get(c.id)).toMatchObject({
      summary: 'they talked',
      summaryUpTo: m.id,
      updatedAt: 9_000,
    })
    await t.stores.conversations.clear(c.id)
    expect(await t.stores.conversations.get(c.id)).toMatchObject({
      summary: null,
      summaryUpTo: null,
    })
    expect(await t.stores.conversations.count(c.id)).toBe(0)
  })

  it('deletes every conversation of a scope with its messages', async () => {
    const a = await open('account:gone', 'luna')
    const b = await open('account:gone', 'max')
    const kept = await open('account:kept', 'luna')
    await say(a.id, '1')
    await say(b.id, '2')
    await say(kept.id, '3')
    expect(await t.stores.conversations.deleteScope('account:gone')).toBe(2)
    expect(await t.stores.conversations.listByScope('account:gone')).toEqual([])
    expect(await t.stores.conversations.count(a.id)).toBe(0)
    expect(await t.stores.conversations.count(kept.id)).toBe(1)
    expect(await t.stores.conversations.deleteScope('account:none')).toBe(0)
  })

  it('rejects a message for a conversation that does not exist', async () => {
    await expect(say('missing', 'x')).rejects.toThrow()
  })
})
