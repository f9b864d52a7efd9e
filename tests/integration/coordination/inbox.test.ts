import { afterEach, describe, expect, it } from 'vitest'
import type { InboxEntry } from '../../../src/coordination/inbox.js'
import { SqlInbox } from '../../../src/coordination/sql-inbox.js'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import { createTestDatabase, TEST_DIALECTS } from '../../helpers/database.js'

const entry = (chat: string, seq: number): InboxEntry => ({
  id: `telegram:${seq}`,
  platform: 'telegram',
  chatKey: chat,
  seq,
  payload: JSON.stringify({ update_id: seq, text: `hello ${seq}` }),
})

describe.each(TEST_DIALECTS)('the inbox on %s', (dialect) => {
  const handles: DatabaseHandle[] = []
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.destroy()))
  })
  async function inbox() {
    const handle = await createTestDatabase(dialect)
    handles.push(handle)
    return new SqlInbox(handle.db, handle.dialect)
  }

  it('records each id once and reports only the new ones', async () => {
    const box = await inbox()
    expect(await box.record([entry('a', 1), entry('a', 2)])).toEqual(['telegram:1', 'telegram:2'])
    expect(await box.record([entry('a', 2), entry('a', 3)])).toEqual(['telegram:3'])
    expect(await box.open('telegram')).toBe(3)
  })

  it('claims one entry per chat, in order, and the next only after the first is done', async () => {
    const box = await inbox()
    await box.record([entry('a', 1), entry('b', 2), entry('a', 3), entry('b', 4)])
    const first = await box.claim('telegram', 'r1', 60_000, 10)
    expect(first.map((e) => e.seq)).toEqual([1, 2])
    expect(first[0]).toMatchObject({ attempts: 1, replyRef: null, chatKey: 'a' })
    // Another replica finds nothing: both chats wait for their first entry.
    expect(await box.claim('telegram', 'r2', 60_000, 10)).toEqual([])
    await box.finish('telegram:1', 'r1')
    expect((await box.claim('telegram', 'r2', 60_000, 10)).map((e) => e.seq)).toEqual([3])
    // A finished entry is not recorded again (a redelivered webhook) and keeps no text.
    expect(await box.record([entry('a', 1)])).toEqual([])
    expect(await box.open()).toBe(3)
  })

  it('hands a dead holder’s entry to another replica with its reply reference', async () => {
    const box = await inbox()
    await box.record([entry('a', 1)])
    await box.claim('telegram', 'dead', 60_000, 10)
    await box.replyStarted('telegram:1', 'dead', 'chat:a/message:77')
    // Its claim runs out (a time-to-live in the past stands for "not renewed in time").
    expect(await box.renew(['telegram:1'], 'dead', -1)).toEqual(['telegram:1'])
    const taken = await box.claim('telegram', 'alive', 60_000, 10)
    expect(taken).toMatchObject([{ id: 'telegram:1', attempts: 2, replyRef: 'chat:a/message:77' }])
    // The dead holder can no longer renew or finish it.
    expect(await box.renew(['telegram:1'], 'dead', 60_000)).toEqual([])
    await box.finish('telegram:1', 'dead')
    expect(await box.open()).toBe(1)
    await box.finish('telegram:1', 'alive')
    expect(await box.open()).toBe(0)
  })

  it('gives a released entry back at once, and purges old done entries', async () => {
    const box = await inbox()
    await box.record([entry('a', 1), entry('b', 2)])
    await box.claim('telegram', 'draining', 60_000, 10)
    await box.release('telegram:1', 'draining')
    expect((await box.claim('telegram', 'next', 60_000, 10)).map((e) => e.id)).toEqual([
      'telegram:1',
    ])
    await box.finish('telegram:1', 'next')
    expect(await box.purgeDone(60_000)).toBe(0)
    expect(await box.purgeDone(-60_000)).toBe(1)
  })

  it('never lets two concurrent claimants take the same entry', async () => {
    const box = await inbox()
    await box.record(Array.from({ length: 40 }, (_, i) => entry(`chat${i}`, i + 1)))
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, r) => box.claim('telegram', `r${r}`, 60_000, 10)),
    )
    const ids = claims.flat().map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBe(40)
  })

  it('lets the chat’s next entry go to the same holder once the first is taken, and gives it back', async () => {
    const box = await inbox()
    await box.record([entry('a', 1), entry('a', 2), entry('a', 3)])
    expect((await box.claim('telegram', 'r1', 60_000, 10)).map((e) => e.seq)).toEqual([1])
    await box.taken('telegram:1', 'r1')
    // Still held by r1 (renewable), and no longer in the way of entry 2 for r1 only (its own
    // queue keeps the order); another replica waits until entry 1 is done.
    expect(await box.renew(['telegram:1'], 'r1', 60_000)).toEqual(['telegram:1'])
    expect(await box.claim('telegram', 'r2', 60_000, 10)).toEqual([])
    expect((await box.claim('telegram', 'r1', 60_000, 10)).map((e) => e.seq)).toEqual([2])
    // Entry 1 given back on a drain: it is claimed again before entry 3.
    await box.release('telegram:1', 'r1')
    await box.finish('telegram:2', 'r1')
    expect((await box.claim('telegram', 'r3', 60_000, 10)).map((e) => e.seq)).toEqual([1])
    // A taken entry whose holder died is taken over like a claimed one.
    await box.taken('telegram:1', 'r3')
    await box.renew(['telegram:1'], 'r3', -1)
    const over = await box.claim('telegram', 'r4', 60_000, 10)
    expect(over.map((e) => [e.seq, e.attempts])).toEqual([[1, 3]])
  })
})
