import type { LlmHostHealth } from '../core/ports/llm.js'
import type { LlmHost } from './llm-host.js'

/** Up/down per host from its breaker and a cached `/api/version` probe, with its slots. */
export function hostsHealth(hosts: readonly LlmHost[]): Promise<readonly LlmHostHealth[]> {
  return Promise.all(
    hosts.map(async (h): Promise<LlmHostHealth> => {
      const concurrency = { limit: h.concurrency.limit, mode: h.concurrency.mode }
      const slots = `concurrency ${concurrency.limit} (${concurrency.mode})`
      if (!h.breaker.isAvailable()) {
        return { host: h.name, status: 'down', detail: `circuit open; ${slots}`, concurrency }
      }
      try {
        const detail = `ollama ${await h.version()}; ${slots}`
        return { host: h.name, status: 'up', detail, concurrency }
      } catch (err) {
        const detail = `${(err as Error).message}; ${slots}`
        return { host: h.name, status: 'down', detail, concurrency }
      }
    }),
  )
}
