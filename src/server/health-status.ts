import type { ComponentHealth } from '../core/types.js'

/** What a drain looks like from outside: whether it began and how many replies still run. */
export interface DrainState {
  readonly draining: boolean
  readonly repliesInFlight: number
}

/**
 * The platform's overall state, in order of precedence:
 * - `draining`: a shutdown began; replies in flight finish, nothing new starts (503);
 * - `down`: an essential component (the database) is not up (503);
 * - `degraded`: something configured does not work, e.g. no Ollama host is reachable or a
 *   configured bot is down (503);
 * - `ok`: everything configured works (200). Components that are `disabled` do not count.
 */
export type OverallStatus = 'ok' | 'degraded' | 'down' | 'draining'

export function overallStatus(
  components: readonly ComponentHealth[],
  drain: DrainState,
): OverallStatus {
  if (drain.draining) return 'draining'
  if (components.some((c) => c.essential && c.status !== 'up')) return 'down'
  if (components.some((c) => c.status !== 'up' && c.status !== 'disabled')) return 'degraded'
  return 'ok'
}

/**
 * Ready to take new work: not draining, the database up and at least one Ollama host
 * reachable (`ollama` is `up` or `degraded`, i.e. some hosts up).
 */
export function isReady(components: readonly ComponentHealth[], drain: DrainState): boolean {
  if (drain.draining) return false
  const byName = new Map(components.map((c) => [c.name, c.status]))
  return (
    byName.get('database') === 'up' &&
    (byName.get('ollama') === 'up' || byName.get('ollama') === 'degraded')
  )
}
