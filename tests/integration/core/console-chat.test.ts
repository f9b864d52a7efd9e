import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkOllama } from '../../../bots/console/ollama-check.js'
import type { ChatCore } from '../../../src/core/chat-core.js'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import { createSqlStores, type SqlStores } from '../../../src/storage/sql-stores.js'
import type { OllamaDoubleKnobs } from '../../doubles/ollama-double.js'
import { type ConsoleSession, startConsoleSession, waitFor } from '../../helpers/console-session.js'
import { createTestDatabase } from '../../helpers/database.js'
import { type OllamaCore, startOllamaCore } from '../../helpers/ollama-core.js'
import { makePersona, memoryPersonas } from '../../unit/core/fixtures.js'

interface Setup extends OllamaCore {
  db: DatabaseHandle
  stores: SqlStores
  session: ConsoleSession
  input: ConsoleSession['input']
  done: Promise<void>
  dir: string
}

let s: Setup | undefined
afterEach(async () => {
  if (!s) return
  await s.session.close()
  await s.close()
  await s.db.destroy()
  await rm(s.dir, { recursive: true, force: true })
  s = undefined
})

async function setup(
  knobs: Partial<OllamaDoubleKnobs> = {},
  signal?: AbortSignal,
  /** Lets a test sit between the terminal chat and the real core. */
  wrapCore: (core: ChatCore) => ChatCore = (core) => core,
): Promise<Setup> {
  const db = await createTestDatabase('sqlite')
  const stores = createSqlStores(db.db)
  const ollama = await startOllamaCore({
    stores,
    echoPrefix: 'You said: ',
    knobs,
    personas: memoryPersonas([
      makePersona({ id: 'nova', name: 'Nova', greeting: 'Welcome aboard, {{user}}.' }),
      makePersona({ id: 'sage', name: 'Sage' }),
    ]),
  })
  const dir = await mkdtemp(join(tmpdir(), 'jlm-console-'))
  const session = startConsoleSession(
    { core: wrapCore(ollama.core), log: ollama.log },
    { userId: 'tester', persona: 'sage', fileDir: dir, signal },
  )
  const started = { ...ollama, db, stores, session, input: session.input, done: session.done, dir }
  s = started
  return started
}

const text = (setup: Setup) => setup.session.text()

async function storedMessages(setup: Setup) {
  const identity = await setup.stores.accounts.findIdentity('console', 'tester')
  if (!identity) return []
  const [conv] = await setup.stores.conversations.listByScope(`account:${identity.accountId}`)
  return conv ? setup.stores.conversations.recent(conv.id, 50) : []
}

describe('terminal chat against the Ollama double', () => {
  it('streams a persona reply through the real gateway and sends num_ctx', async () => {
    const t = await setup()
    await waitFor(() => text(t).includes('Type a message'))
    expect(text(t)).toContain('You are talking to Sage — sage description')
    t.input.write('hello from the terminal\n')
    await waitFor(() => text(t).includes('Sage: You said: hello from the terminal\n'))
    const chat = t.double.requestsTo('/api/chat')[0]?.body as {
      options: { num_ctx: number }
      stream: boolean
    }
    expect(chat.options.num_ctx).toBe(4096)
    expect(chat.stream).toBe(true)
    const stored = await storedMessages(t)
    expect(stored.map((m) => [m.role, m.status])).toEqual([
      ['assistant', 'complete'],
      ['user', 'complete'],
      ['assistant', 'complete'],
    ])
    expect(stored[2]?.promptTokens).toBeGreaterThan(0)
  })

  it('runs commands typed as /name args', async () => {
    const t = await setup()
    t.input.write('/status\n')
    await waitFor(() => text(t).includes('Model: llama3.2'))
    expect(text(t)).toContain('Plan: free')
    t.input.write('/persona nova\n')
    await waitFor(() => text(t).includes('Nova now answers'))
    t.input.write('/export\n')
    await waitFor(() => text(t).includes('Saved '))
    const [file] =
      text(t)
        .match(/Saved (\S+)/)
        ?.slice(1) ?? []
    expect(JSON.parse(await readFile(file as string, 'utf8'))).toMatchObject({
      identities: [{ platform: 'console', platformUserId: 'tester' }],
    })
  })

  it('stores the user message and a partial reply when /stop cancels mid-stream', async () => {
    const t = await setup({
      tokenIntervalMs: 50,
      reply: () =>
        'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty',
    })
    await waitFor(() => text(t).includes('Type a message'))
    t.input.write('tell me a long story\n')
    await waitFor(() => text(t).includes('three'))
    t.input.write('/stop\n')
    await waitFor(() => text(t).includes('Stopped.'))
    await waitFor(() => t.double.requestsTo('/api/chat')[0]?.aborted === true)
    await waitFor(async () => (await storedMessages(t)).at(-1)?.status === 'partial')
    const stored = await storedMessages(t)
    expect(stored.at(-2)).toMatchObject({ role: 'user', content: 'tell me a long story' })
    expect(stored.at(-1)?.content).toMatch(/^one two three/)
    expect(stored.at(-1)?.content).not.toContain('twenty')
  })

  it('explains an unreachable model server', async () => {
    const t = await setup()
    await waitFor(() => text(t).includes('Type a message'))
    await t.double.stop()
    t.input.write('anyone there?\n')
    await waitFor(() => text(t).includes('offline'))
    expect(text(t)).toMatch(/! The model server is offline right now/)
    const check = await checkOllama([t.double.url], 'llama3.2', { timeoutMs: 1_000 })
    expect(check.ok).toBe(false)
    if (!check.ok) {
      expect(check.message).toContain(t.double.url)
      expect(check.message).toContain('ollama serve')
      expect(check.message).toContain('ollama pull llama3.2')
    }
  })

  it('ends when its signal aborts, stopping the reply being written', async () => {
    const stop = new AbortController()
    const t = await setup({ tokenIntervalMs: 50, replyTokens: 200, reply: null }, stop.signal)
    await waitFor(() => text(t).includes('Type a message'))
    t.input.write('talk for a long time\n')
    await waitFor(() => text(t).includes('token3'))
    stop.abort()
    await t.done
    expect(text(t)).toMatch(/Stopped\./)
    await waitFor(async () => (await storedMessages(t)).at(-1)?.status === 'partial')
  })

  it('ends without writing the reply when the stop comes as the line is handed to the core', async () => {
    const stop = new AbortController()
    // The platform stops in the same instant the reply is asked for: the core has no running
    // reply yet, so only the signal passed along can cancel it.
    const stopAsReplyStarts = (core: ChatCore): ChatCore => ({
      commands: core.commands,
      reply: (message, signal) => {
        stop.abort()
        return core.reply(message, signal)
      },
      runCommand: (invocation, io) => core.runCommand(invocation, io),
      parseArgs: (name, text) => core.parseArgs(name, text),
      autocomplete: (source, query, where) => core.autocomplete(source, query, where),
      stop: (platform, userId) => core.stop(platform, userId),
    })
    const t = await setup(
      { tokenIntervalMs: 50, replyTokens: 200, reply: null },
      stop.signal,
      stopAsReplyStarts,
    )
    await waitFor(() => text(t).includes('Type a message'))
    t.input.write('talk for a long time\n')
    await t.done
    expect(stop.signal.aborted).toBe(true)
    expect(text(t)).toMatch(/Stopped\./)
    expect(text(t)).not.toContain('token199')
  })
})
