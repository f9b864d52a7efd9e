import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CommandInvocation } from '../../../src/core/chat-core.js'
import type { Stores } from '../../../src/core/ports/stores.js'
import type { InboundMessage } from '../../../src/core/types.js'
import { ExportDirectory } from '../../../src/files/export-directory.js'
import {
  type CreateDatabaseOptions,
  createDatabase,
  type DatabaseHandle,
} from '../../../src/storage/create-database.js'
import { migrateToLatest } from '../../../src/storage/migrate.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { silentLogger } from '../../helpers/logger.js'
import { type OllamaCore, startOllamaCore } from '../../helpers/ollama-core.js'
import { collect, makePersona, memoryPersonas, recordingIo } from '../../unit/core/fixtures.js'

interface World extends OllamaCore {
  dir: string
  file: string
  exportsDir: string
  db: DatabaseHandle
  stores: Stores
}

let world: World | undefined
afterEach(async () => {
  if (!world) return
  await world.close()
  await world.db.destroy()
  rmSync(world.dir, { recursive: true, force: true })
  world = undefined
})

async function start(options: CreateDatabaseOptions = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'jlm-forget-'))
  const file = join(dir, 'justlayme.sqlite')
  const exportsDir = join(dir, 'exports')
  const db = createDatabase(file, options)
  await migrateToLatest(db.db, silentLogger())
  const stores = createSqlStores(db.db, { scrub: () => db.scrub() })
  const ollama = await startOllamaCore({
    stores,
    echoPrefix: 'You said: ',
    // Temperature 0: replies are cached in memory, so /forget has a cache to purge.
    personas: memoryPersonas([makePersona({ id: 'nova', options: { temperature: 0 } })]),
    entitlements: {
      entitlement: async () => ({ tier: 'free', source: 'none', until: null, status: null }),
    },
    grants: { grant: async () => ({ until: 0 }) },
    exportFiles: new ExportDirectory(exportsDir),
    limits: {
      freeDailyMessages: 1_000,
      premiumDailyMessages: 1_000,
      // A small window: older turns fall out and the memory writer summarises them.
      freeContextTokens: 2_048,
      premiumContextTokens: 2_048,
    },
  })
  const started = { ...ollama, dir, file, exportsDir, db, stores }
  world = started
  return started
}

const ann = { platform: 'telegram', platformUserId: '42', displayName: 'Ann' } as const
const bob = { platform: 'telegram', platformUserId: '77', displayName: 'Bob' } as const

function say(who: typeof ann | typeof bob, text: string, where: 'dm' | 'group'): InboundMessage {
  return {
    ...who,
    chatId: where === 'dm' ? who.platformUserId : '-100',
    chatKind: where === 'dm' ? 'direct' : 'group',
    text,
    addressed: true,
    adultAllowed: false,
  }
}

function word(): string {
  return `zq${randomBytes(6).toString('hex')}`
}

/** Occurrences of each word in the raw bytes of the database file, its WAL and shared memory. */
function hitsOnDisk(file: string, words: readonly string[]): number {
  let hits = 0
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(path)) continue
    const bytes = readFileSync(path)
    for (const w of words) {
      const needle = Buffer.from(w)
      for (let i = bytes.indexOf(needle); i !== -1; i = bytes.indexOf(needle, i + 1)) hits++
    }
  }
  return hits
}

/** Ann talks in her DM and in a group (where Bob talks too), exports her data; returns the words. */
async function chat(w: World): Promise<{ annWords: string[]; bobWords: string[] }> {
  const annWords: string[] = []
  const bobWords: string[] = []
  for (let turn = 0; turn < 40; turn++) {
    const mine = word()
    annWords.push(mine)
    // Lengths vary, one turn needs overflow pages, so pages split and rebalance as in real use.
    const filler = turn === 7 ? 'x'.repeat(3_960) : 'y'.repeat((turn * 37) % 300)
    const events = await collect(w.core.reply(say(ann, `turn ${turn}: ${mine} ${filler}`, 'dm')))
    expect(events.at(-1), JSON.stringify(events.at(-1))).toMatchObject({ type: 'done' })
    if (turn % 4 === 0) {
      const inGroup = word()
      annWords.push(inGroup)
      await collect(w.core.reply(say(ann, `@nova ${inGroup} in the group`, 'group')))
      const theirs = word()
      bobWords.push(theirs)
      await collect(w.core.reply(say(bob, `@nova ${theirs} from Bob`, 'group')))
    }
  }
  await w.core.idle()
  const io = recordingIo()
  await w.core.runCommand(invocation('export', {}), io)
  const file = io.replies[0]?.file
  if (!file) throw new Error('/export sent no file')
  await mkdir(w.exportsDir, { recursive: true })
  await writeFile(join(w.exportsDir, file.name), file.content)
  return { annWords, bobWords }
}

function invocation(name: string, args: Record<string, string>): CommandInvocation {
  return { ...say(ann, '', 'dm'), isChatAdmin: false, name, args }
}

describe('/forget leaves no trace of the words on disk', () => {
  it('after /forget yes the SQLite file and its WAL hold none of the words', async () => {
    const w = await start()
    const { annWords, bobWords } = await chat(w)
    expect(hitsOnDisk(w.file, annWords)).toBeGreaterThan(0)
    const summaries = await w.db.db
      .selectFrom('conversation')
      .select('summary')
      .where('summary', 'is not', null)
      .execute()
    expect(summaries.length).toBeGreaterThan(0)

    const io = recordingIo()
    await w.core.runCommand(invocation('forget', { confirm: 'yes' }), io)
    const answer = io.replies[0]?.text ?? ''
    expect(answer).toMatch(/deleted 1 private conversation and their memory/)
    expect(answer).toMatch(/group messages \(yours and the replies to them\)/)
    expect(answer).toMatch(/1 export file/)
    expect(answer).toMatch(/cached repl/)
    expect(answer).toMatch(/cannot delete/)

    expect(hitsOnDisk(w.file, annWords)).toBe(0)
    // The scan does see text that was not forgotten: Bob's words stay.
    expect(hitsOnDisk(w.file, bobWords)).toBeGreaterThan(0)
    expect(await readdir(w.exportsDir)).toEqual([])
  })

  // Files larger than SQLITE_ONLINE_VACUUM_MAX_BYTES are not vacuumed after /forget: there
  // secure_delete ON (zeroing freed cells and pages) is what leaves no trace. FAST was measured
  // to leave 135 hits of the words here (freed overflow and freelist pages keep their bytes).
  it('on a file too large to vacuum online, secure_delete ON alone leaves no trace', async () => {
    const w = await start({ vacuumMaxBytes: 0 })
    const { annWords, bobWords } = await chat(w)
    const io = recordingIo()
    await w.core.runCommand(invocation('forget', { confirm: 'yes' }), io)
    expect(io.replies[0]?.text ?? '').toMatch(/deleted 1 private conversation/)
    expect(hitsOnDisk(w.file, annWords)).toBe(0)
    expect(hitsOnDisk(w.file, bobWords)).toBeGreaterThan(0)
  })

  it('on that file with secure_delete OFF the same /forget leaves the words on disk', async () => {
    const w = await start({ vacuumMaxBytes: 0, secureDelete: 'OFF' })
    const { annWords } = await chat(w)
    await w.core.runCommand(invocation('forget', { confirm: 'yes' }), recordingIo())
    expect(hitsOnDisk(w.file, annWords)).toBeGreaterThan(0)
  })

  it('without /forget the same scan finds the words', async () => {
    const w = await start()
    const { annWords } = await chat(w)
    await w.stores.scrubDeleted()
    expect(hitsOnDisk(w.file, annWords)).toBeGreaterThan(0)
  })
})
