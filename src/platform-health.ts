import type { LlmHostHealth } from './core/ports/llm.js'
import type { Stores } from './core/ports/stores.js'
import type { ComponentHealth } from './core/types.js'

// `/health` always lists database, ollama, mail, stripe, discord and telegram, enabled or not.

/** The Ollama component: one entry for all hosts, each host listed inside. */
export interface OllamaHealth extends ComponentHealth {
  readonly hosts: readonly LlmHostHealth[]
}

/** Database ping with a deadline, so `/health` answers even while PostgreSQL is unreachable. */
export async function pingWithin(stores: Stores, ms: number): Promise<ComponentHealth> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      stores.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
      }),
    ])
    return { name: 'database', status: 'up', essential: true }
  } catch (err) {
    return { name: 'database', status: 'down', essential: true, detail: (err as Error).message }
  } finally {
    clearTimeout(timer)
  }
}

/** `up` when every host answers, `degraded` when some do, `down` when none does. */
export function ollamaHealth(hosts: readonly LlmHostHealth[]): OllamaHealth {
  const up = hosts.filter((h) => h.status === 'up').length
  const status = up === hosts.length ? 'up' : up > 0 ? 'degraded' : 'down'
  return {
    name: 'ollama',
    status,
    essential: false,
    detail:
      status === 'down'
        ? 'no Ollama host is reachable: start it with `ollama serve` or fix OLLAMA_HOSTS'
        : `${up} of ${hosts.length} host${hosts.length === 1 ? '' : 's'} up`,
    hosts,
  }
}

export function disabled(name: string, how: string): ComponentHealth {
  return { name, status: 'disabled', essential: false, detail: how }
}
