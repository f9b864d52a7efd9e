import { pino } from 'pino'
import type { Logger } from '../../src/core/ports/logger.js'

/** A logger that prints nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}

export interface CapturedLog {
  readonly level: number
  readonly msg: string
  readonly [key: string]: unknown
}

/** A logger that keeps every line (JSON-parsed) so tests can assert on what the operator sees. */
export function capturingLogger(level = 'debug'): { log: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = []
  const log = pino(
    { level },
    {
      write(chunk: string) {
        lines.push(JSON.parse(chunk) as CapturedLog)
      },
    },
  )
  return { log, lines }
}
