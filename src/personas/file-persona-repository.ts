import { type FSWatcher, watch as fsWatch } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { rejectedLoreKeys } from '../core/lore-pattern.js'
import type { Persona, PersonaRepository } from '../core/persona.js'
import type { Logger } from '../core/ports/logger.js'
import { cardToPng, exportCardV3 } from './card-export.js'
import type { CharacterCardV3 } from './card-to-persona.js'
import { isPersonaFile, parsePersonaFile } from './parse-persona-file.js'

export interface FilePersonaRepositoryDeps {
  readonly log: Logger
}

export interface FilePersonaRepositoryOptions {
  /** `PERSONAS_DIR`. */
  readonly dir: string
  /** `OLLAMA_MODEL`: the model of personas that name none. */
  readonly defaultModel?: string | undefined
  /** Quiet time after the last file change before reloading. Default 250 ms. */
  readonly debounceMs?: number | undefined
  /** Larger files are skipped with an error. Default 16 MiB. */
  readonly maxFileBytes?: number | undefined
}

export interface ReloadResult {
  readonly loaded: number
  readonly errors: readonly { file: string; message: string }[]
}

interface Loaded {
  readonly persona: Persona
  readonly card: CharacterCardV3
  readonly path: string
}

/**
 * Personas from the files of one directory: our YAML format and Character Cards V1/V2/V3 as
 * JSON or PNG (see `parsePersonaFile`). Call `reload()` once at start; `watch()` keeps the set
 * current while files change; `close()` stops watching. Lookups are synchronous over the last
 * successful load. A broken file is logged (file and field) and skipped; it never stops the
 * others. Duplicate ids: the first file in name order wins, the other is reported.
 */
export class FilePersonaRepository implements PersonaRepository {
  readonly #log: Logger
  readonly #dir: string
  readonly #defaultModel: string | undefined
  readonly #debounceMs: number
  readonly #maxFileBytes: number
  #byId = new Map<string, Loaded>()
  #list: readonly Persona[] = []
  #errors: ReloadResult['errors'] = []
  #chain: Promise<unknown> = Promise.resolve()
  #watcher: FSWatcher | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(deps: FilePersonaRepositoryDeps, options: FilePersonaRepositoryOptions) {
    this.#log = deps.log
    this.#dir = options.dir
    this.#defaultModel = options.defaultModel
    this.#debounceMs = options.debounceMs ?? 250
    this.#maxFileBytes = options.maxFileBytes ?? 16 * 1024 * 1024
  }

  /** The folder the personas load from (PERSONAS_DIR). */
  get dir(): string {
    return this.#dir
  }

  /** The files the last reload skipped, with the reason (shown in the console). */
  loadErrors(): ReloadResult['errors'] {
    return this.#errors
  }

  /** Every loaded persona, ordered by file name (stable between reloads). */
  list(): readonly Persona[] {
    return this.#list
  }

  get(id: string): Persona | undefined {
    return this.#byId.get(id)?.persona
  }

  /** By id (case-insensitively), else by name or nickname (case-insensitively, trimmed). */
  find(idOrName: string): Persona | undefined {
    const wanted = idOrName.trim().toLowerCase()
    if (wanted === '') return undefined
    const byId = this.#byId.get(wanted)?.persona
    if (byId) return byId
    return this.#list.find(
      (p) => p.name.toLowerCase() === wanted || p.nickname?.toLowerCase() === wanted,
    )
  }

  /**
   * Re-reads every file of the directory and swaps the set in at once. Never throws: problems
   * are returned (and logged at warn with `file` and `field`). When the directory itself cannot
   * be read, the current set is kept. Concurrent calls run one after another.
   */
  reload(): Promise<ReloadResult> {
    const next = this.#chain.then(() => this.#load())
    this.#chain = next.catch(() => undefined)
    return next
  }

  /** The persona as a Character Card V3 object; lossless for imported cards. */
  exportCard(id: string): Record<string, unknown> | undefined {
    const loaded = this.#byId.get(id)
    return loaded ? exportCardV3(loaded.card, loaded.persona) : undefined
  }

  /**
   * The persona as a PNG card with `ccv3` and `chara` (V2 backfill) chunks. A persona loaded
   * from a PNG keeps its picture; others get a 1×1 placeholder.
   */
  async exportPng(id: string): Promise<Uint8Array | undefined> {
    const loaded = this.#byId.get(id)
    if (!loaded) return undefined
    const card = exportCardV3(loaded.card, loaded.persona)
    if (!loaded.path.toLowerCase().endsWith('.png')) return cardToPng(card)
    try {
      return cardToPng(card, await readFile(loaded.path))
    } catch (err) {
      this.#log.warn({ err, file: loaded.persona.sourceFile }, 'persona picture unreadable')
      return cardToPng(card)
    }
  }

  /**
   * Starts watching the directory; changes reload the set after `debounceMs` of quiet. Safe to
   * call twice. A directory that cannot be watched is logged, not thrown.
   */
  watch(): void {
    if (this.#watcher) return
    try {
      this.#watcher = fsWatch(this.#dir, { persistent: false }, () => this.#schedule())
      this.#watcher.on('error', (err) => {
        this.#log.warn({ err, dir: this.#dir }, 'persona directory watch failed')
      })
      this.#log.info({ dir: this.#dir }, 'watching persona directory')
    } catch (err) {
      this.#log.warn({ err, dir: this.#dir }, 'cannot watch persona directory')
    }
  }

  /** Stops watching and waits for a running reload to finish. */
  async close(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#watcher?.close()
    this.#watcher = undefined
    await this.#chain
  }

  #schedule(): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.reload()
    }, this.#debounceMs)
  }

  /** Regex lore keys that can never match are loaded (as never matching) but reported. */
  #logRejectedLore(file: string, persona: Persona): void {
    for (const { entry, key, reason } of rejectedLoreKeys(persona)) {
      this.#log.warn(
        { file, persona: persona.name, entry, key, dir: this.#dir },
        `lore regex rejected: ${file} (${persona.name}), entry ${entry}: ${reason}; the key never matches`,
      )
    }
  }

  async #load(): Promise<ReloadResult> {
    let names: string[]
    try {
      const entries = await readdir(this.#dir, { withFileTypes: true })
      names = entries
        .filter((e) => !e.isDirectory() && isPersonaFile(e.name))
        .map((e) => e.name)
        .sort()
    } catch (err) {
      this.#log.error({ err, dir: this.#dir }, 'cannot read the persona directory')
      const message = `cannot read the persona directory: ${(err as Error).message}`
      return { loaded: 0, errors: [{ file: this.#dir, message }] }
    }

    const byId = new Map<string, Loaded>()
    const errors: { file: string; message: string }[] = []
    const fail = (file: string, field: string, message: string): void => {
      errors.push({ file, message })
      this.#log.warn({ file, field, dir: this.#dir }, `persona skipped: ${file}: ${message}`)
    }
    for (const name of names) {
      const path = join(this.#dir, name)
      let bytes: Buffer
      try {
        const info = await stat(path)
        if (info.size > this.#maxFileBytes) {
          fail(name, '', `the file is larger than ${this.#maxFileBytes} bytes`)
          continue
        }
        bytes = await readFile(path)
      } catch (err) {
        // Deleted between listing and reading: the next watch event reloads again.
        fail(name, '', `cannot read the file (${(err as Error).message})`)
        continue
      }
      const result = parsePersonaFile(name, bytes, { defaultModel: this.#defaultModel })
      if (!result.ok) {
        fail(name, result.field, result.message)
        continue
      }
      const first = byId.get(result.persona.id)
      if (first) {
        fail(
          name,
          '',
          `duplicate persona id '${result.persona.id}' (already loaded from ${first.persona.sourceFile})`,
        )
        continue
      }
      this.#logRejectedLore(name, result.persona)
      byId.set(result.persona.id, { persona: result.persona, card: result.card, path })
    }

    this.#byId = byId
    this.#list = [...byId.values()].map((l) => l.persona)
    const level = byId.size === 0 ? 'warn' : 'info'
    this.#log[level](
      { dir: this.#dir, loaded: byId.size, skipped: errors.length },
      byId.size === 0 ? 'no personas loaded' : 'personas loaded',
    )
    this.#errors = errors
    return { loaded: byId.size, errors }
  }
}
