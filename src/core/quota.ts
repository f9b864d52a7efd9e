const DAY_MS = 86_400_000

/** The UTC day of `now` as `YYYY-MM-DD` (the usage counters' key). */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10)
}

/** Milliseconds from `now` until the next UTC midnight (when quotas reset). */
export function msUntilUtcMidnight(now: number): number {
  return DAY_MS - (now % DAY_MS)
}

/** A short duration for people: `3 h 12 min`, `45 min`, `less than a minute`. */
export function formatDuration(ms: number): string {
  const minutes = Math.ceil(ms / 60_000)
  if (ms < 60_000) return 'less than a minute'
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (h === 0) return `${m} min`
  return m === 0 ? `${h} h` : `${h} h ${m} min`
}
