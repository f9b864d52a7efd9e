import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { startPlatform, tempDataDir } from '../tests/e2e/platform-process.js'
import { type BenchResult, percentile } from './types.js'

const RUNS = 5

/**
 * The compiled platform as `npm start` runs it, with nothing configured (as on a fresh machine):
 * time from spawn to `/health` answering, and from Ctrl-C (SIGINT) to the process exiting.
 * Needs `npm run build` first.
 */
export async function run(): Promise<BenchResult[]> {
  const startMs: number[] = []
  const stopMs: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const env = {
      PERSONAS_DIR: join(process.cwd(), 'personas'),
      OLLAMA_HOSTS: 'http://127.0.0.1:9',
    }
    const dir = tempDataDir()
    try {
      const started = performance.now()
      const platform = await startPlatform(env, dir)
      startMs.push(performance.now() - started)
      const { code, ms } = await platform.stop('SIGINT')
      if (code !== 0) throw new Error(`the platform exited with ${code} after SIGINT`)
      stopMs.push(ms)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const stopWorst = Math.max(...stopMs)
  return [
    {
      name: `process: start to /health answering, median of ${RUNS}`,
      value: percentile(startMs, 50) / 1000,
      unit: 's',
    },
    {
      name: `process: Ctrl-C to exit 0 (nothing in flight), worst of ${RUNS}`,
      value: stopWorst / 1000,
      unit: 's',
      target: '< 2 s',
      pass: stopWorst < 2_000,
    },
  ]
}
