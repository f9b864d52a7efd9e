import { readdir, rename, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { FilePersonaRepository } from '../personas/file-persona-repository.js'
import { isPersonaFile, parsePersonaFile } from '../personas/parse-persona-file.js'

/** Disabled files keep their name behind this prefix; the loader skips names starting with a dot. */
export const DISABLED_PREFIX = '.disabled-'

export type UploadResult =
  | { readonly ok: true; readonly file: string; readonly personaId: string }
  | { readonly ok: false; readonly message: string }

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/

/**
 * The persona folder as the console changes it: uploads validated exactly like the folder
 * loader (`parsePersonaFile`), then written into PERSONAS_DIR; enabling and disabling by name.
 */
export class PersonaFiles {
  readonly #personas: FilePersonaRepository
  readonly #defaultModel: string

  constructor(personas: FilePersonaRepository, options: { defaultModel: string }) {
    this.#personas = personas
    this.#defaultModel = options.defaultModel
  }

  async upload(fileName: string, bytes: Uint8Array): Promise<UploadResult> {
    const name = basename(fileName).trim()
    if (!SAFE_NAME.test(name) || !isPersonaFile(name)) {
      return {
        ok: false,
        message:
          'Use a file name of letters, digits, spaces, dots, dashes or underscores ending in .png, .json, .yaml or .yml.',
      }
    }
    const parsed = parsePersonaFile(name, bytes, { defaultModel: this.#defaultModel })
    if (!parsed.ok) return { ok: false, message: `${name} was not added: ${parsed.message}` }
    const taken = this.#personas.get(parsed.persona.id)
    if (taken) {
      return {
        ok: false,
        message: `${name} was not added: the persona id '${parsed.persona.id}' is already used by ${taken.sourceFile}. Rename the file or disable the other one first.`,
      }
    }
    const path = join(this.#personas.dir, name)
    if (await exists(path))
      return { ok: false, message: `${name} already exists in the persona folder.` }
    // Written beside, then renamed: the folder watcher never reads half a file.
    const temp = join(this.#personas.dir, `.upload-${process.pid}-${name}`)
    await writeFile(temp, bytes, { flag: 'wx' })
    await rename(temp, path)
    await this.#personas.reload()
    return { ok: true, file: name, personaId: parsed.persona.id }
  }

  /** Renames `file` to or from its disabled name and reloads; false when there is no such file. */
  async setEnabled(file: string, enabled: boolean): Promise<boolean> {
    const name = basename(file).replace(new RegExp(`^${DISABLED_PREFIX.replace('.', '\\.')}`), '')
    if (!SAFE_NAME.test(name) || !isPersonaFile(name)) return false
    const on = join(this.#personas.dir, name)
    const off = join(this.#personas.dir, `${DISABLED_PREFIX}${name}`)
    const [from, to] = enabled ? [off, on] : [on, off]
    if (!(await exists(from)) || (await exists(to))) return false
    await rename(from, to)
    await this.#personas.reload()
    return true
  }

  /** File names (without the prefix) of disabled personas. */
  async disabledFiles(): Promise<string[]> {
    const names = await readdir(this.#personas.dir).catch(() => [] as string[])
    return names
      .filter((n) => n.startsWith(DISABLED_PREFIX))
      .map((n) => n.slice(DISABLED_PREFIX.length))
      .sort()
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
