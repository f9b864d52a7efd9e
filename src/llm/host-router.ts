/** What routing needs to know about a host. */
export interface RoutableHost {
  readonly breaker: { isAvailable(): boolean }
  readonly queue: { readonly full: boolean; readonly load: number }
  mayHave(model: string): boolean
  isLoaded(model: string): boolean
}

/**
 * Chooses the host for a generation: among hosts whose circuit lets a request through and
 * that may have the model, untried ones first; a host with the model already loaded wins
 * (no load wait) unless all such hosts are busy while another one is idle; ties go to the
 * least loaded. Returns null when no host qualifies.
 */
export function pickHost<H extends RoutableHost>(
  hosts: readonly H[],
  model: string,
  tried: ReadonlySet<H>,
): H | null {
  const healthy = hosts.filter((h) => h.breaker.isAvailable() && h.mayHave(model))
  const untried = healthy.filter((h) => !tried.has(h))
  const pool = untried.length > 0 ? untried : healthy
  const loaded = pool.filter((h) => h.isLoaded(model))
  const idle = pool.filter((h) => !h.queue.full)
  let candidates = pool
  if (loaded.some((h) => !h.queue.full)) candidates = loaded
  else if (idle.length > 0) candidates = idle
  else if (loaded.length > 0) candidates = loaded
  let best: H | null = null
  for (const host of candidates) if (!best || host.queue.load < best.queue.load) best = host
  return best
}
