import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { ExportFiles } from '../core/ports/export-files.js'

/** `ExportFiles` over one folder (`DATA_DIR/exports`). */
export class ExportDirectory implements ExportFiles {
  readonly #dir: string

  constructor(dir: string) {
    this.#dir = dir
  }

  get dir(): string {
    return this.#dir
  }

  async removeFor(accountId: string): Promise<number> {
    let names: string[]
    try {
      names = await readdir(this.#dir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
      throw err
    }
    // The name `/export` gives the file: `justlayme-export-<accountId>.json`.
    const prefix = `justlayme-export-${accountId}`
    // Copies saved as `… (1).json` count too; `…-acc-10.json` is another account's.
    const mine = names.filter(
      (name) => name.startsWith(prefix) && ['.', ' ', '(', '_'].includes(name[prefix.length] ?? ''),
    )
    for (const name of mine) await rm(join(this.#dir, name), { force: true })
    return mine.length
  }
}
