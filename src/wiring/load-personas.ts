import type { Config } from '../config.js'
import type { Logger } from '../core/ports/logger.js'
import { FilePersonaRepository } from '../personas/file-persona-repository.js'

/** Loads PERSONAS_DIR, logs what loaded and watches the folder for changes. */
export async function loadPersonas(config: Config, log: Logger): Promise<FilePersonaRepository> {
  const personas = new FilePersonaRepository(
    { log: log.child({ component: 'personas' }) },
    { dir: config.PERSONAS_DIR, defaultModel: config.OLLAMA_MODEL },
  )
  const loaded = await personas.reload()
  log.info(
    { personas: loaded.loaded, skipped: loaded.errors.length, dir: config.PERSONAS_DIR },
    'personas loaded',
  )
  personas.watch()
  return personas
}

/** OLLAMA_MODEL and every persona's own model: what the LLM gateway checks at start. */
export function requiredModels(config: Config, personas: FilePersonaRepository): string[] {
  return [
    ...new Set([
      config.OLLAMA_MODEL,
      ...personas.list().flatMap((p) => (p.model ? [p.model] : [])),
    ]),
  ]
}
