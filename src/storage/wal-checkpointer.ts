import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

export interface WalCheckpointerOptions {
  /** Pause between checkpoints while the WAL keeps growing (small keeps each one short). */
  readonly busyIntervalMs?: number | undefined
  /** Longest pause, reached by doubling while nothing new is written. */
  readonly idleIntervalMs?: number | undefined
  /** Called once when the background connection fails (it then stops for good). */
  readonly onFailure?: ((err: Error) => void) | undefined
}

export interface WalCheckpointer {
  /** Stops the background connection and waits for it to close. */
  stop(): Promise<void>
}

const DEFAULT_BUSY_INTERVAL_MS = 20
const DEFAULT_IDLE_INTERVAL_MS = 500
/** How long `stop` waits for the worker to close its connection before terminating it. */
const STOP_TIMEOUT_MS = 2_000

/**
 * CommonJS run by the worker. PASSIVE checkpoints never take the write lock and never wait,
 * so the connection that serves queries is not slowed down by them. The pause shrinks to
 * `busyMs` while the WAL grows (each checkpoint stays small) and doubles up to `idleMs` while
 * nothing is written. A failure is posted as `{ error }` and ends the worker.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { busyMs, idleMs } = workerData
let db
let timer
let lastLog = -1
let pause = busyMs
function fail(err) {
  clearTimeout(timer)
  parentPort.postMessage({ error: String((err && err.message) || err), code: err && err.code })
  try { if (db) db.close() } catch {}
  parentPort.close()
}
function tick() {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)')
    pause = result.log === lastLog ? Math.min(pause * 2, idleMs) : busyMs
    lastLog = result.log
  } catch (err) {
    if (!err || err.code !== 'SQLITE_BUSY') return fail(err)
  }
  timer = setTimeout(tick, pause)
}
parentPort.on('message', () => {
  clearTimeout(timer)
  if (db) db.close()
  parentPort.close()
})
try {
  const SQLite = require(workerData.driver)
  db = new SQLite(workerData.file, { fileMustExist: true })
  db.pragma('busy_timeout = 0')
  timer = setTimeout(tick, pause)
} catch (err) {
  fail(err)
}
`

/**
 * Checkpoints a WAL-mode SQLite file from a second connection on a worker thread, so the
 * fsyncs and page copies of checkpointing happen off the event loop instead of inside
 * whichever commit crosses `wal_autocheckpoint`. The worker never keeps the process alive.
 */
export function startWalCheckpointer(
  file: string,
  options: WalCheckpointerOptions = {},
): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver,
      file,
      busyMs: options.busyIntervalMs ?? DEFAULT_BUSY_INTERVAL_MS,
      idleMs: options.idleIntervalMs ?? DEFAULT_IDLE_INTERVAL_MS,
    },
  })
  worker.unref()
  let exited = false
  const exit = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      exited = true
      resolve()
    })
  })
  let failed = false
  const failure = (err: Error) => {
    if (failed) return
    failed = true
    options.onFailure?.(err)
  }
  worker.on('message', (message: { error?: string; code?: string }) => {
    if (message.error === undefined) return
    failure(Object.assign(new Error(message.error), { code: message.code }))
  })
  worker.once('error', (err) => failure(err instanceof Error ? err : new Error(String(err))))
  return {
    async stop() {
      if (exited) return
      worker.postMessage('stop')
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_TIMEOUT_MS)
      })
      await Promise.race([exit, late])
      clearTimeout(timer)
      if (!exited) await worker.terminate()
    },
  }
}
