import { afterEach, describe, expect, it } from 'vitest'
import { MemoryWriter } from '../../../src/core/memory-writer.js'
import type { LlmChatRequest } from '../../../src/core/ports/llm.js'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { createTestDatabase } from '../../helpers/database.js'
import { silentLogger } from '../../helpers/logger.js'
import {
  collect,
  DM_CALLER,
  dm,
  FakeLlm,
  type Harness,
  harness,
  recordingIo,
  words,
} from './fixtures.js'

let h: Harness | undefined
let db: DatabaseHandle | undefined
afterEach(async () => {
  await h?.close()
  await db?.destroy()
  h = undefined
  db = undefined
})

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('/forget with work in flight', () => {
  it('stops the reply being written and deletes what it had stored', async () => {
    h = await harness()
    const never = new Promise<void>(() => {})
    h.llm.script = (req) => words('echo of my secret words and more', req, { gate: never })
    const replying = collect(h.core.reply(dm('my secret words')))
    await until(() => h?.llm.requests.length === 1)
    const io = recordingIo()
    await h.core.runCommand({ ...DM_CALLER, name: 'forget', args: { confirm: 'yes' } }, io)
    await replying
    expect(io.replies[0]?.text).toMatch(/Done: deleted 1 private conversation/)
    const rows = await h.db.db.selectFrom('message').select('content').execute()
    expect(rows).toEqual([])
  })

  it('cancels a memory summary in flight and starts none until released', async () => {
    db = await createTestDatabase('sqlite')
    const stores = createSqlStores(db.db)
    const { conversation } = await stores.conversations.getOrCreate('telegram:-1', 'p', 'group', 1)
    for (let i = 0; i < 12; i++) {
      await stores.conversations.append({
        conversationId: conversation.id,
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: `secret line ${i}`,
        status: 'complete',
        createdAt: i,
      })
    }
    const llm = new FakeLlm()
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    llm.script = (req: LlmChatRequest) => words('summary quoting secret line 0', req, { gate })
    const memory = new MemoryWriter({
      conversations: stores.conversations,
      llm,
      log: silentLogger(),
      now: () => 100,
    })
    const job = {
      conversationId: conversation.id,
      personaName: 'P',
      model: 'm',
      numCtx: 4096,
      beforeId: 1_000,
    }
    memory.schedule(job)
    await until(() => llm.requests.length === 1)
    const unhold = await memory.hold([conversation.id])
    release()
    memory.schedule(job)
    await memory.idle()
    expect(llm.requests).toHaveLength(1)
    expect((await stores.conversations.get(conversation.id))?.summary).toBeNull()
    unhold()
    memory.schedule(job)
    await memory.idle()
    expect((await stores.conversations.get(conversation.id))?.summary).toBe(
      'summary quoting secret line 0',
    )
  })
})
