import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

export interface WalCheckpointerOptions {
  /** Pause between checkpoints while the WAL keeps growing (small keeps each one short). */
  readonly busyIntervalMs?: number | undefined
  /** Longest pause, reached by doubling while nothing new is written. */
  readonly idleIntervalMs?: number | undefined
  /** Called once when the background connection fails (it then stops for good). */
  readonly onFailure?: ((err: Error) => void) | undefined
  /** `PRAGMA secure_delete` of the worker's connection (default `ON`, as the serving one). */
  readonly secureDelete?: 'ON' | 'FAST' | 'OFF' | undefined
}

export interface WalCheckpointer {
  /**
   * After personal data was deleted: optionally `VACUUM`s (rebuilding every page, so no
   * fragment of a deleted row survives in unused page space) when the file is at most
   * `vacuumMaxBytes`, then checkpoints with `TRUNCATE` so the WAL no longer holds copies of the
   * deleted pages. Runs on the worker, waiting up to `busyTimeoutMs` for the serving
   * connection's writes. Rejects when the worker has failed or stopped.
   */
  scrub(options: { vacuumMaxBytes: number; busyTimeoutMs?: number }): Promise<WalScrubResult>
  /** Stops the background connection and waits for it to close. */
  stop(): Promise<void>
}

export interface WalScrubResult {
  /** True when `VACUUM` ran; false when the file was larger than `vacuumMaxBytes`. */
  readonly vacuumed: boolean
  /** True when the WAL was checkpointed completely and truncated to zero bytes. */
  readonly walTruncated: boolean
  /** Size of the database file (page count × page size) before the scrub. */
  readonly bytes: number
}

const DEFAULT_BUSY_INTERVAL_MS = 20
const DEFAULT_IDLE_INTERVAL_MS = 500
const DEFAULT_SCRUB_BUSY_TIMEOUT_MS = 5_000
/** How long `stop` waits for the worker to close its connection before terminating it. */
const STOP_TIMEOUT_MS = 2_000

/**
 * CommonJS run by the worker. PASSIVE checkpoints never take the write lock and never wait,
 * so the connection that serves queries is not slowed down by them. The pause shrinks to
 * `busyMs` while the WAL grows (each checkpoint stays small) and doubles up to `idleMs` while
 * nothing is written. A failure is posted as `{ error }` and ends the worker. A `scrub` request
 * pauses the timer, runs VACUUM (small files only) and a TRUNCATE checkpoint with a busy timeout,
 * retrying while a reader still uses the WAL, and answers `{ id, result }` or `{ id, failed }`.
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
function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}
function scrub({ vacuumMaxBytes, busyTimeoutMs }) {
  db.pragma('busy_timeout = ' + busyTimeoutMs)
  try {
    const bytes = db.pragma('page_count', { simple: true }) * db.pragma('page_size', { simple: true })
    const vacuumed = bytes <= vacuumMaxBytes
    if (vacuumed) db.exec('VACUUM')
    let walTruncated = false
    for (let attempt = 0; attempt < 50 && !walTruncated; attempt++) {
      if (attempt > 0) sleep(20)
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)')
      walTruncated = result.busy === 0
    }
    return { vacuumed, walTruncated, bytes }
  } finally {
    db.pragma('busy_timeout = 0')
  }
}
parentPort.on('message', (message) => {
  if (message && message.type === 'scrub') {
    clearTimeout(timer)
    try {
      parentPort.postMessage({ id: message.id, result: scrub(message) })
    } catch (err) {
      parentPort.postMessage({ id: message.id, failed: String((err && err.message) || err) })
    }
    timer = setTimeout(tick, busyMs)
    return
  }
  clearTimeout(timer)
  if (db) db.close()
  parentPort.close()
})
try {
  const SQLite = require(workerData.driver)
  db = new SQLite(workerData.file, { fileMustExist: true })
  db.pragma('busy_timeout = 0')
  db.pragma('secure_delete = ' + workerData.secureDelete)
  timer = setTimeout(tick, pause)
} catch (err) {
  fail(err)
}
`

interface WorkerMessage {
  readonly id?: number
  readonly result?: WalScrubResult
  readonly failed?: string
  readonly error?: string
  readonly code?: string
}

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
      secureDelete: options.secureDelete ?? 'ON',
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
  let nextId = 0
  const pending = new Map<number, { resolve(r: WalScrubResult): void; reject(e: Error): void }>()
  const rejectPending = (err: Error) => {
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  }
  worker.on('message', (message: WorkerMessage) => {
    if (message.id !== undefined) {
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (message.result) waiter?.resolve(message.result)
      else waiter?.reject(new Error(`scrub failed: ${message.failed ?? 'unknown error'}`))
      return
    }
    if (message.error === undefined) return
    const err = Object.assign(new Error(message.error), { code: message.code })
    rejectPending(err)
    failure(err)
  })
  worker.once('error', (err) => {
    const error = err instanceof Error ? err : new Error(String(err))
    rejectPending(error)
    failure(error)
  })
  worker.once('exit', () => rejectPending(new Error('the WAL checkpointer has stopped')))
  return {
    scrub({ vacuumMaxBytes, busyTimeoutMs }) {
      if (exited || failed) return Promise.reject(new Error('the WAL checkpointer has stopped'))
      const id = nextId++
      return new Promise<WalScrubResult>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        worker.postMessage({
          type: 'scrub',
          id,
          vacuumMaxBytes,
          busyTimeoutMs: busyTimeoutMs ?? DEFAULT_SCRUB_BUSY_TIMEOUT_MS,
        })
      })
    },
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
