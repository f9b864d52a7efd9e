import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { ollamaOperatorMessages } from '../../../bots/console/ollama-check.js'
import { loadConfig } from '../../../src/config.js'
import { withConsoleAdmin } from '../../../src/console-user.js'
import type { PersonaRepository } from '../../../src/core/persona.js'
import { cardJsonFromPng, cardToPng } from '../../../src/personas/card-export.js'
import { FilePersonaRepository } from '../../../src/personas/file-persona-repository.js'
import { encodePng, readPngChunks } from '../../../src/personas/png-chunks.js'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { type ConsoleSession, startConsoleSession, waitFor } from '../../helpers/console-session.js'
import { createTestDatabase } from '../../helpers/database.js'
import { silentLogger } from '../../helpers/logger.js'
import { type OllamaCore, startOllamaCore } from '../../helpers/ollama-core.js'
import { makePersona, memoryPersonas } from '../../unit/core/fixtures.js'

interface Run extends OllamaCore {
  db: DatabaseHandle
  session: ConsoleSession
  dir: string
}

const runs: Run[] = []
afterEach(async () => {
  for (const r of runs.splice(0)) {
    await r.session.close()
    await r.close()
    await r.db.destroy()
    await rm(r.dir, { recursive: true, force: true })
  }
})

async function start(
  opts: {
    personas?: PersonaRepository
    env?: Record<string, string>
    persona?: string
    operator?: boolean
  } = {},
): Promise<Run> {
  // Ollama's address does not matter here: the chat talks to the double started below.
  const config = loadConfig({ ...opts.env })
  const db = await createTestDatabase('sqlite')
  const ollama = await startOllamaCore({
    stores: createSqlStores(db.db),
    echoPrefix: 'Echo: ',
    personas:
      opts.personas ??
      memoryPersonas([
        makePersona({
          id: 'nova',
          name: 'Nova',
          description: 'A ship pilot who has flown the outer lanes for thirty years.',
          greeting: 'Welcome aboard, {{user}}. Strap in.',
        }),
        makePersona({ id: 'rook', name: 'Rook', tier: 'premium' }),
        makePersona({ id: 'vex', name: 'Vex', nsfw: true }),
      ]),
    limits: { admins: withConsoleAdmin(config.ADMINS, config.CONSOLE_ADMIN, 'operator') },
  })
  const dir = await mkdtemp(join(tmpdir(), 'jlm-first-'))
  const session = startConsoleSession(
    { core: ollama.core, log: ollama.log },
    {
      userId: 'operator',
      persona: opts.persona,
      fileDir: join(dir, 'exports'),
      adultAllowed: config.CONSOLE_ADMIN,
      operatorMessages:
        opts.operator === false
          ? undefined
          : ollamaOperatorMessages([ollama.double.url], config.OLLAMA_MODEL),
    },
  )
  const run = { ...ollama, db, session, dir }
  runs.push(run)
  return run
}

const text = (r: Run) => r.session.text()
const say = (r: Run, line: string, until: string | RegExp) => r.session.say(line, until)

describe('the terminal chat opens well', () => {
  it('opens with the persona name, a one-line description and the greeting the model sees', async () => {
    const r = await start()
    await waitFor(() => text(r).includes('Type a message'))
    const opening = text(r)
    expect(opening).toContain(
      'You are talking to Nova — A ship pilot who has flown the outer lanes for thirty years.',
    )
    expect(opening).toContain('Nova: Welcome aboard, operator. Strap in.')
    // Each hint once.
    expect(opening.match(/\/quit/g)).toHaveLength(1)
    await say(r, 'hello', 'Echo: hello')
    const sent = r.double.requestsTo('/api/chat')[0]?.body as {
      messages: { role: string; content: string }[]
    }
    expect(sent.messages.filter((m) => m.role !== 'system').slice(0, 2)).toEqual([
      { role: 'assistant', content: 'Welcome aboard, operator. Strap in.' },
      { role: 'user', content: 'hello' },
    ])
  })

  it('scans the greeting for lorebook keys on the first turn', async () => {
    const lore = {
      keys: ['Kettle Rock'],
      secondaryKeys: [],
      selective: false,
      content: 'LORE: Kettle Rock is a floating island with a tea house.',
      constant: false,
      enabled: true,
      insertionOrder: 0,
      caseSensitive: false,
      priority: 10,
      useRegex: false,
    }
    const r = await start({
      personas: memoryPersonas([
        makePersona({
          id: 'ilse',
          name: 'Ilse',
          greeting: 'We are four hours out from Kettle Rock.',
          lore: [lore],
          loreScanDepth: 2,
        }),
      ]),
    })
    await waitFor(() => text(r).includes('Type a message'))
    await say(r, 'hi', 'Echo: hi')
    const sent = r.double.requestsTo('/api/chat')[0]?.body as {
      messages: { role: string; content: string }[]
    }
    expect(sent.messages[0]?.role).toBe('system')
    expect(sent.messages[0]?.content).toContain('LORE: Kettle Rock is a floating island')
  })

  it('switches persona by number or by name', async () => {
    const r = await start()
    await waitFor(() => text(r).includes('Type a message'))
    expect(text(r)).toMatch(/Personas: 1 Nova, 2 Rook/)
    expect(await say(r, '/persona 2', 'now answers')).toContain('Rook now answers')
    expect(await say(r, '/persona nova', 'now answers')).toContain('Nova now answers')
    const listed = await say(r, '/personas', 'Type a number')
    const rook = /(\d+)\. Rook/.exec(listed)?.[1]
    expect(await say(r, String(rook), 'now answers')).toContain('Rook now answers')
  })

  it('tells the operator how to start Ollama when it is down', async () => {
    const r = await start()
    await waitFor(() => text(r).includes('Type a message'))
    await r.double.stop()
    const said = await say(r, 'anyone there?', 'OLLAMA_HOSTS')
    expect(said).toContain(`Ollama is not reachable at ${r.double.url}`)
    expect(said).toContain('ollama serve')
    expect(said).not.toContain('offline right now')
  })
})

describe('the operator is an admin at their own terminal', () => {
  it('may use premium personas and /admin by default, and adult ones after confirming 18+', async () => {
    const r = await start()
    await waitFor(() => text(r).includes('Type a message'))
    expect(await say(r, '/persona rook', 'Rook')).toContain('Rook now answers')
    expect(await say(r, '/admin stats', '\n')).not.toContain('admins only')
    expect(await say(r, '/persona vex', 'Vex')).toMatch(/adults only/)
    await say(r, '/settings adult yes', 'Thanks')
    expect(await say(r, '/persona vex', 'Vex')).toContain('Vex now answers')
  })

  it('is an ordinary user with CONSOLE_ADMIN=false, and is never told to /subscribe when subscriptions are off', async () => {
    const r = await start({ env: { CONSOLE_ADMIN: 'false' } })
    await waitFor(() => text(r).includes('Type a message'))
    const premium = await say(r, '/persona rook', 'Rook')
    expect(premium).toContain('for premium members')
    expect(premium).not.toContain('/subscribe')
    expect(premium).toContain('Subscriptions are not enabled on this server')
    expect(await say(r, '/admin stats', 'admins only')).toContain('/admin is for bot admins only')
    expect(await say(r, '/help', '/reset')).not.toContain('/subscribe')
  })
})

describe('exports go to DATA_DIR/exports', () => {
  it('/export writes there and prints the path', async () => {
    const r = await start()
    await waitFor(() => text(r).includes('Type a message'))
    const said = await say(r, '/export', 'Saved ')
    const path = /Saved (\S+)/.exec(said)?.[1] ?? ''
    expect(path.startsWith(join(r.dir, 'exports'))).toBe(true)
    expect(JSON.parse(await readFile(path, 'utf8'))).toHaveProperty('identities')
  })

  it('/persona export of a PNG card saves a PNG that keeps the picture (JSON on request)', async () => {
    const cards = await mkdtemp(join(tmpdir(), 'jlm-cards-'))
    try {
      // A 2×2 colour picture with a card in it.
      const ihdr = Buffer.alloc(13)
      ihdr.writeUInt32BE(2, 0)
      ihdr.writeUInt32BE(2, 4)
      ihdr[8] = 8
      ihdr[9] = 2
      const pixels = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 10, 20, 30])
      const picture = encodePng([
        { type: 'IHDR', data: ihdr },
        { type: 'IDAT', data: deflateSync(pixels) },
        { type: 'IEND', data: Buffer.alloc(0) },
      ])
      const card = {
        spec: 'chara_card_v3',
        spec_version: '3.0',
        data: { name: 'Pix', description: 'A painter.', first_mes: 'Hi {{user}}.' },
      }
      await writeFile(join(cards, 'pix.png'), cardToPng(card as never, picture))
      const repo = new FilePersonaRepository({ log: silentLogger() }, { dir: cards })
      await repo.reload()
      const r = await start({ personas: repo })
      await waitFor(() => text(r).includes('Type a message'))
      const said = await say(r, '/persona export pix', 'Saved ')
      const path = /Saved (\S+)/.exec(said)?.[1] ?? ''
      expect(path).toBe(join(r.dir, 'exports', 'pix.png'))
      const exported = await readFile(path)
      const image = (png: Uint8Array) =>
        readPngChunks(png)
          .filter((c) => c.type === 'IHDR' || c.type === 'IDAT')
          .map((c) => c.data.toString('hex'))
      expect(image(exported)).toEqual(image(picture))
      expect(cardJsonFromPng(exported)).toMatchObject({ data: { name: 'Pix' } })

      const json = await say(r, '/persona export pix json', 'Saved ')
      const jsonPath = /Saved (\S+)/.exec(json)?.[1] ?? ''
      expect(jsonPath).toBe(join(r.dir, 'exports', 'pix.json'))
      expect(JSON.parse(await readFile(jsonPath, 'utf8'))).toMatchObject({
        spec: 'chara_card_v3',
      })
    } finally {
      await rm(cards, { recursive: true, force: true })
    }
  })
})
