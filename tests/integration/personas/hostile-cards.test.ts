import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FilePersonaRepository } from '../../../src/personas/file-persona-repository.js'
import { parsePersonaFile } from '../../../src/personas/parse-persona-file.js'
import { base64Json, hostileRegexCard, pngBomb, v2Card } from '../../fixtures/cards/sample-cards.js'
import { capturingLogger } from '../../helpers/logger.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jlm-hostile-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024

describe('hostile persona files', () => {
  it('refuses a PNG decompression bomb with < 64 MB extra memory and says why', () => {
    // 256 MiB of zeros in a 260 KB file: inflating it all would take hundreds of MB.
    const bomb = pngBomb(256)
    expect(bomb.length).toBeLessThan(300_000)
    const before = maxRssBytes()
    const result = parsePersonaFile('bomb.png', bomb)
    const extra = maxRssBytes() - before
    expect(result).toEqual({
      ok: false,
      field: '',
      message: expect.stringMatching(/ccv3 chunk inflates to more than 8 MiB.*refused/),
    })
    expect(extra).toBeLessThan(64 * 1024 * 1024)
  })

  it('never inflates compressed chunks that do not hold the card', () => {
    const png = pngBomb(256, 'Comment', { chara: base64Json(v2Card()) })
    const before = maxRssBytes()
    const result = parsePersonaFile('commented.png', png)
    const extra = maxRssBytes() - before
    expect(result.ok && result.persona.name).toBe('Wren')
    expect(extra).toBeLessThan(64 * 1024 * 1024)
  })

  it('keeps loading other personas and logs the bomb file and the reason', async () => {
    await writeFile(join(dir, 'bomb.png'), pngBomb(64))
    await writeFile(join(dir, 'wren.json'), JSON.stringify(v2Card()))
    const { log, lines } = capturingLogger()
    const repo = new FilePersonaRepository({ log }, { dir })
    const result = await repo.reload()
    await repo.close()
    expect(result.loaded).toBe(1)
    expect(result.errors).toEqual([
      { file: 'bomb.png', message: expect.stringContaining('decompression bomb') },
    ])
    expect(lines.some((l) => l.file === 'bomb.png' && /decompression bomb/.test(l.msg))).toBe(true)
  })

  it('loads a card with regex lore the linear engine cannot run and logs card and entry', async () => {
    const card = hostileRegexCard('Looker') as { data: { character_book: { entries: object[] } } }
    card.data.character_book.entries.push({
      keys: ['dragon(?!fly)'],
      content: 'no lookahead',
      extensions: {},
      enabled: true,
      insertion_order: 9,
      use_regex: true,
      name: 'lookahead',
    })
    await writeFile(join(dir, 'looker.json'), JSON.stringify(card))
    const { log, lines } = capturingLogger()
    const repo = new FilePersonaRepository({ log }, { dir })
    expect((await repo.reload()).loaded).toBe(1)
    await repo.close()
    const rejected = lines.filter((l) => /lore regex rejected/.test(l.msg))
    expect(rejected).toEqual([
      expect.objectContaining({
        level: 40,
        file: 'looker.json',
        persona: 'Looker',
        entry: 'lookahead',
        key: 'dragon(?!fly)',
      }),
    ])
  })
})
