import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { activeLore, exampleDialogueBlocks } from '../../../src/core/persona-prompt.js'
import { FilePersonaRepository } from '../../../src/personas/file-persona-repository.js'
import { parsePersonaFile } from '../../../src/personas/parse-persona-file.js'
import { pngTextChunks } from '../../../src/personas/png-chunks.js'
import {
  base64Json,
  pngWithText,
  v1Card,
  v2Card,
  v3Card,
} from '../../fixtures/cards/sample-cards.js'
import { capturingLogger, silentLogger } from '../../helpers/logger.js'

const SHIPPED_DIR = join(import.meta.dirname, '../../../personas')

let dir: string
const repos: FilePersonaRepository[] = []

function repoFor(path: string, log = silentLogger(), debounceMs = 50): FilePersonaRepository {
  const repo = new FilePersonaRepository(
    { log },
    { dir: path, defaultModel: 'llama3.2', debounceMs },
  )
  repos.push(repo)
  return repo
}

const put = (name: string, content: string | Uint8Array): Promise<void> =>
  writeFile(join(dir, name), content)

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jlm-personas-'))
})

afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.close()))
  await rm(dir, { recursive: true, force: true })
})

describe('FilePersonaRepository', () => {
  it('loads YAML, JSON and PNG personas of every card version, in file name order', async () => {
    await put('pip.yaml', 'name: Pip\ngreeting: Hi')
    await put('tom.json', JSON.stringify(v1Card()))
    await put('wren.json', JSON.stringify(v2Card()))
    await put('june.png', pngWithText({ ccv3: base64Json(v3Card()) }))
    await put('README.md', '# not a persona')
    await put('.hidden.json', '{')
    const repo = repoFor(dir)
    expect(await repo.reload()).toEqual({ loaded: 4, errors: [] })
    expect(repo.list().map((p) => p.id)).toEqual(['june', 'pip', 'tom', 'wren'])
    expect(repo.get('june')?.sourceFile).toBe('june.png')
    expect(repo.get('pip')?.model).toBe('llama3.2')
  })

  it('reports a broken file with its name and field, logs it and still loads the others', async () => {
    const bad = v2Card() as Record<string, any>
    bad.data.alternate_greetings = 'not a list'
    await put('bad.json', JSON.stringify(bad))
    await put('broken.yaml', 'name: [')
    await put('good.yaml', 'name: Good')
    const { log, lines } = capturingLogger()
    const repo = repoFor(dir, log)
    const result = await repo.reload()
    expect(result.loaded).toBe(1)
    expect(result.errors).toEqual([
      { file: 'bad.json', message: 'data.alternate_greetings must be an array of strings' },
      { file: 'broken.yaml', message: expect.stringMatching(/not valid YAML/) },
    ])
    expect(repo.list().map((p) => p.id)).toEqual(['good'])
    const warning = lines.find((l) => l.file === 'bad.json')
    expect(warning).toMatchObject({ field: 'data.alternate_greetings' })
    expect(warning?.msg).toContain('bad.json')
    expect(warning?.msg).toContain('data.alternate_greetings must be an array of strings')
  })

  it('keeps the first of two files with the same id and reports the other', async () => {
    await put('Pip.json', JSON.stringify({ ...v1Card(), name: 'From JSON' }))
    await put('pip.yaml', 'name: From YAML')
    const repo = repoFor(dir)
    const result = await repo.reload()
    expect(result.loaded).toBe(1)
    expect(repo.get('pip')?.name).toBe('From JSON')
    expect(result.errors).toEqual([
      { file: 'pip.yaml', message: "duplicate persona id 'pip' (already loaded from Pip.json)" },
    ])
  })

  it('finds personas by id, name or nickname, case-insensitively', async () => {
    await put('june.json', JSON.stringify(v3Card('Juniper Ash')))
    const repo = repoFor(dir)
    await repo.reload()
    expect(repo.find('JUNE')?.id).toBe('june')
    expect(repo.find(' juniper ash ')?.id).toBe('june')
    expect(repo.find('nobody')).toBeUndefined()
    expect(repo.find('')).toBeUndefined()
  })

  it('reports a missing directory without throwing and keeps what it had', async () => {
    await put('pip.yaml', 'name: Pip')
    const repo = repoFor(dir)
    await repo.reload()
    await rm(dir, { recursive: true, force: true })
    const result = await repo.reload()
    expect(result.loaded).toBe(0)
    expect(result.errors[0]?.message).toMatch(/cannot read the persona directory/)
    expect(repo.get('pip')?.name).toBe('Pip')
    const missing = repoFor(join(dir, 'nope'))
    expect(() => missing.watch()).not.toThrow()
  })

  it('exports a lossless V3 card and a PNG that keeps the original picture', async () => {
    const picture = pngWithText({ chara: base64Json(v2Card()), Comment: 'my picture' })
    await put('wren.png', picture)
    const repo = repoFor(dir)
    await repo.reload()
    const card = repo.exportCard('wren') as Record<string, any>
    expect(card.spec).toBe('chara_card_v3')
    expect(card.data.unknown_data_field).toEqual([1, 2, 3])
    expect(repo.exportCard('nobody')).toBeUndefined()

    const png = await repo.exportPng('wren')
    if (!png) throw new Error('expected a PNG')
    expect(pngTextChunks(png).get('comment')).toBe('my picture')
    const again = parsePersonaFile('wren.png', png)
    expect(again.ok && again.format).toBe('v3')
    expect(again.ok && again.persona.name).toBe('Wren')
    expect(await repo.exportPng('nobody')).toBeUndefined()
  })

  it('reloads when files are added, changed and removed while watching', async () => {
    await put('pip.yaml', 'name: Pip')
    const repo = repoFor(dir)
    await repo.reload()
    repo.watch()

    await put('tom.json', JSON.stringify(v1Card()))
    await vi.waitFor(() => expect(repo.get('tom')?.name).toBe('Old Tom'), {
      timeout: 10_000,
      interval: 25,
    })

    await put('pip.yaml', 'name: Pip Two')
    await vi.waitFor(() => expect(repo.get('pip')?.name).toBe('Pip Two'), {
      timeout: 10_000,
      interval: 25,
    })

    await unlink(join(dir, 'tom.json'))
    await vi.waitFor(() => expect(repo.get('tom')).toBeUndefined(), {
      timeout: 10_000,
      interval: 25,
    })
  })

  it('closes cleanly while watching and still answers explicit reloads', async () => {
    const repo = repoFor(dir)
    await repo.reload()
    repo.watch()
    repo.watch()
    await repo.close()
    await put('late.yaml', 'name: Late')
    await repo.reload()
    expect(repo.get('late')?.name).toBe('Late')
  })
})

describe('shipped personas', () => {
  it('all load without errors', async () => {
    const repo = repoFor(SHIPPED_DIR)
    const result = await repo.reload()
    expect(result.errors).toEqual([])
    expect(result.loaded).toBeGreaterThanOrEqual(3)
  })

  it('come as YAML and as JSON cards, all safe for work, with greetings, examples and lore', async () => {
    const repo = repoFor(SHIPPED_DIR)
    await repo.reload()
    const files = repo.list().map((p) => p.sourceFile)
    expect(files.some((f) => f.endsWith('.yaml'))).toBe(true)
    expect(files.some((f) => f.endsWith('.json'))).toBe(true)
    for (const p of repo.list()) {
      expect(p.nsfw, p.id).toBe(false)
      expect(p.greeting.trim(), p.id).not.toBe('')
      expect(p.alternateGreetings.length, p.id).toBeGreaterThan(0)
      expect(exampleDialogueBlocks(p, 'Sam').length, p.id).toBeGreaterThan(0)
      expect(p.lore.length, p.id).toBeGreaterThanOrEqual(3)
      expect(p.lore.length, p.id).toBeLessThanOrEqual(5)
      expect(
        p.lore.some((l) => l.constant),
        p.id,
      ).toBe(true)
      const constant = activeLore(p, [], { estimateTokens: (t) => Math.ceil(t.length / 4) })
      expect(constant.length, p.id).toBeGreaterThan(0)
    }
  })

  it('round-trip through export', async () => {
    const repo = repoFor(SHIPPED_DIR)
    await repo.reload()
    for (const p of repo.list()) {
      const again = parsePersonaFile(
        `${p.id}.json`,
        Buffer.from(JSON.stringify(repo.exportCard(p.id))),
        {
          defaultModel: 'llama3.2',
        },
      )
      if (!again.ok) throw new Error(again.message)
      const { raw: _a, sourceFile: _b, ...before } = p
      const { raw: _c, sourceFile: _d, ...after } = again.persona
      expect(after, p.id).toEqual(before)
    }
  })
})
