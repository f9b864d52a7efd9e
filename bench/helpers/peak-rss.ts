import { readFileSync } from 'node:fs'

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

/** Samples the resident memory of process `pid` every `everyMs` until `stop()`. */
export function samplePeakRss(pid: number, everyMs = 250): { peakMb(): number; stop(): void } {
  let peak = rssMb(pid)
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid))
    } catch {
      // The process is gone: the caller reports that itself.
    }
  }, everyMs)
  return { peakMb: () => peak, stop: () => clearInterval(timer) }
}
