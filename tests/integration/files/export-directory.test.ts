import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ExportDirectory } from '../../../src/files/export-directory.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('ExportDirectory', () => {
  it('removes the export files of one account and nothing else', async () => {
    const root = mkdtempSync(join(tmpdir(), 'jlm-exports-'))
    dirs.push(root)
    const dir = join(root, 'exports')
    await mkdir(dir)
    for (const name of [
      'justlayme-export-acc-1.json',
      'justlayme-export-acc-1 (1).json',
      'justlayme-export-acc-2.json',
      'justlayme-export-acc-10.json',
      'nova.json',
    ]) {
      writeFileSync(join(dir, name), '{}')
    }
    const exports = new ExportDirectory(dir)
    expect(await exports.removeFor('acc-1')).toBe(2)
    expect((await readdir(dir)).sort()).toEqual([
      'justlayme-export-acc-10.json',
      'justlayme-export-acc-2.json',
      'nova.json',
    ])
  })

  it('counts nothing when the folder does not exist yet', async () => {
    const root = mkdtempSync(join(tmpdir(), 'jlm-exports-'))
    dirs.push(root)
    expect(await new ExportDirectory(join(root, 'exports')).removeFor('acc-1')).toBe(0)
  })
})
