import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createDatabase, type DatabaseHandle } from '../../../src/storage/create-database.js'
import { migrateToLatest } from '../../../src/storage/migrate.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { startWalCheckpointer } from '../../../src/storage/wal-checkpointer.js'
import { silentLogger } from '../../helpers/logger.js'

const dirs: string[] = []
const handles: DatabaseHandle[] = []

afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.destroy()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'justlayme-wal-'))
  dirs.push(dir)
  return dir
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Messages found in the main database file alone, i.e. already copied out of the WAL. */
function messagesInMainFile(file: string, dir: string): number {
  const copy = join(dir, `copy-${Date.now()}-${Math.random()}.sqlite`)
  copyFileSync(file, copy)
  const db = new SQLite(copy, { readonly: true })
  try {
    const table = db.prepare("select 1 from sqlite_master where name = 'message'").get()
    if (!table) return 0
    const row = db.prepare('select count(*) as n from message').get() as { n: number }
    return row.n
  } finally {
    db.close()
    rmSync(copy, { force: true })
  }
}

describe('SQLite file databases', () => {
  it('copy committed writes into the database file in the background', async () => {
    const dir = tempDir()
    const file = join(dir, 'app.sqlite')
    const handle = createDatabase(file)
    handles.push(handle)
    await migrateToLatest(handle.db, silentLogger())
    const stores = createSqlStores(handle.db)
    const { conversation } = await stores.conversations.getOrCreate('account:a', 'p', 'direct', 1)
    for (let i = 0; i < 20; i++) {
      await stores.conversations.append({
        conversationId: conversation.id,
        role: 'user',
        content: `message ${i}`,
        status: 'complete',
        createdAt: i,
      })
    }
    // Far below wal_autocheckpoint: only the background connection copies these pages.
    await until(() => messagesInMainFile(file, dir) === 20)
    expect(await stores.conversations.count(conversation.id)).toBe(20)
  })

  it('close the background connection first, so closing removes the WAL as before', async () => {
    const dir = tempDir()
    const file = join(dir, 'app.sqlite')
    const handle = createDatabase(file)
    await migrateToLatest(handle.db, silentLogger())
    await createSqlStores(handle.db).kv.set('k', 'v')
    await handle.destroy()
    expect(existsSync(`${file}-wal`)).toBe(false)
    const reopened = createDatabase(file)
    handles.push(reopened)
    expect(await createSqlStores(reopened.db).kv.get('k')).toBe('v')
  })

  it('reports a background connection that cannot open the file', async () => {
    const dir = tempDir()
    const failures: Error[] = []
    const checkpointer = startWalCheckpointer(join(dir, 'missing.sqlite'), {
      onFailure: (err) => failures.push(err),
    })
    await until(() => failures.length > 0)
    await checkpointer.stop()
    expect(failures[0]?.message).toMatch(/unable to open/i)
  })

  it('scrubs on the worker: VACUUM for small files, then a TRUNCATE checkpoint', async () => {
    const dir = tempDir()
    const file = join(dir, 'app.sqlite')
    const handle = createDatabase(file)
    handles.push(handle)
    await migrateToLatest(handle.db, silentLogger())
    const stores = createSqlStores(handle.db, { scrub: () => handle.scrub() })
    await stores.kv.set('k', 'v'.repeat(10_000))
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0)
    expect(await stores.scrubDeleted()).toEqual({
      dialect: 'sqlite',
      vacuumed: ['*'],
      walTruncated: true,
    })
    expect(statSync(`${file}-wal`).size).toBe(0)

    const checkpointer = startWalCheckpointer(file)
    try {
      await stores.kv.set('k2', 'w'.repeat(10_000))
      const result = await checkpointer.scrub({ vacuumMaxBytes: 0 })
      expect(result).toMatchObject({ vacuumed: false, walTruncated: true })
      expect(result.bytes).toBeGreaterThan(0)
    } finally {
      await checkpointer.stop()
    }
    await expect(checkpointer.scrub({ vacuumMaxBytes: 0 })).rejects.toThrow(/stopped/)
  })

  it('truncates the WAL once a merge commits', async () => {
    const dir = tempDir()
    const file = join(dir, 'app.sqlite')
    const handle = createDatabase(file)
    handles.push(handle)
    await migrateToLatest(handle.db, silentLogger())
    const stores = createSqlStores(handle.db, { scrub: () => handle.scrub() })
    const a = (await stores.accounts.resolveIdentity('telegram', '1', 'Ann', 1)).account
    const b = (await stores.accounts.resolveIdentity('discord', '2', 'Ann', 1)).account
    const { conversation } = await stores.conversations.getOrCreate(
      `account:${a.id}`,
      'p',
      'direct',
      1,
    )
    await stores.conversations.setSummary(conversation.id, 'a summary about Ann', null, 2)
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0)
    await stores.transaction((tx) => tx.accounts.merge(a.id, b.id, 3))
    expect(statSync(`${file}-wal`).size).toBe(0)
    expect(await stores.accounts.get(a.id)).toBeUndefined()
  })
})
