import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { OllamaDoubleKnobs } from '../../tests/doubles/ollama-double.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DOUBLE = fileURLToPath(new URL('../../tests/doubles/ollama-double.ts', import.meta.url))

export interface DoubleProcess {
  readonly url: string
  stop(): Promise<void>
}

/**
 * Starts the Ollama double in its own process, as a real Ollama would be, so its CPU does
 * not compete with the client side being measured.
 */
export async function spawnDouble(knobs: Partial<OllamaDoubleKnobs>): Promise<DoubleProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', DOUBLE, JSON.stringify(knobs)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }
  const lines = createInterface({ input: child.stdout })
  const timeout = AbortSignal.timeout(30_000)
  try {
    const [line] = (await Promise.race([
      once(lines, 'line', { signal: timeout }),
      once(child, 'exit', { signal: timeout }).then(() => {
        throw new Error('the Ollama double exited before listening')
      }),
    ])) as [string]
    return { url: (JSON.parse(line) as { url: string }).url, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
