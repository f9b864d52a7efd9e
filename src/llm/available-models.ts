import type { AvailableModel, LlmClient } from '../core/ports/llm.js'
import type { Logger } from '../core/ports/logger.js'
import type { LlmHost } from './llm-host.js'
import { canonicalModel } from './model-name.js'

/**
 * The models installed on the reachable hosts (`/api/tags`), whether any host has them in
 * memory (`/api/ps`) and whether they can see (`capabilities` from `/api/show`, cached by
 * `info`). A host that cannot be reached is left out and logged.
 */
export async function availableModels(
  hosts: readonly LlmHost[],
  info: Pick<LlmClient, 'modelInfo'>,
  log: Logger,
): Promise<AvailableModel[]> {
  const found = new Map<string, { name: string; sizeBytes: number; loaded: boolean }>()
  await Promise.all(
    hosts.map(async (host) => {
      try {
        const [installed, loaded] = await Promise.all([
          host.client.installedModels(),
          host.loadedModels().catch(() => [] as string[]),
        ])
        const inMemory = new Set(loaded.map(canonicalModel))
        for (const m of installed) {
          const key = canonicalModel(m.name)
          const prev = found.get(key)
          found.set(key, {
            name: prev?.name ?? m.name,
            sizeBytes: prev?.sizeBytes ?? m.size,
            loaded: (prev?.loaded ?? false) || inMemory.has(key),
          })
        }
      } catch (err) {
        log.warn({ host: host.name, err }, 'llm model listing failed')
      }
    }),
  )
  const models = [...found.values()].sort((a, b) => a.name.localeCompare(b.name))
  return Promise.all(
    models.map(async (m) => {
      const capabilities = await info
        .modelInfo(m.name)
        .then((i) => i.capabilities ?? [])
        .catch(() => [] as readonly string[])
      return { ...m, vision: capabilities.includes('vision') }
    }),
  )
}
