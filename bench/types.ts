/** One row of the benchmark table `npm run bench` prints. */
export interface BenchResult {
  /** What was measured, e.g. `storage sqlite: fetch context window p99`. */
  readonly name: string
  readonly value: number
  readonly unit: string
  /** Human-readable target, e.g. `< 5 ms` or `>= 1.9x`; omit when informational. */
  readonly target?: string | undefined
  /** Whether `value` meets the target; omit when informational. */
  readonly pass?: boolean | undefined
}

/** A benchmark module: `bench/<area>.bench.ts` exports `run`. */
export type BenchModule = { run(): Promise<BenchResult[]> }

/** p-th percentile (0-100) of samples, in the samples' unit. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx] as number
}
