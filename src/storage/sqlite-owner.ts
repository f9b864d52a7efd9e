import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs'
import { hostname as osHostname } from 'node:os'
import { dirname, resolve } from 'node:path'

/**
 * One process per SQLite file. The owner writes `<file>.owner` (pid, host, start time) with an
 * exclusive create and touches it every `heartbeatMs`; a second process finds it and refuses to
 * start. An owner that died (kill -9) leaves a file that is stale when its pid is gone on this
 * host or its heartbeat stopped for `staleMs`, so the next start takes over with no manual step.
 */

export interface SqliteOwner {
  readonly pid: number
  readonly host: string
  /** Epoch ms when the owner started. */
  readonly since: number
}

export class SqliteInUseError extends Error {
  readonly file: string
  readonly owner: SqliteOwner
  constructor(file: string, owner: SqliteOwner) {
    super(
      `The SQLite database ${file} is already in use by another JustLayMe process ` +
        `(pid ${owner.pid} on host ${owner.host}, running since ${new Date(owner.since).toISOString()}). ` +
        'SQLite serves one process: stop that process first, or run several processes on one ' +
        'PostgreSQL database (DATABASE_URL=postgres://user:pass@host:5432/justlayme).',
    )
    this.name = 'SqliteInUseError'
    this.file = file
    this.owner = owner
  }
}

export interface SqliteOwnership {
  /** Stops the heartbeat and removes the owner file. */
  release(): void
}

export interface ClaimOptions {
  readonly pid?: number
  readonly host?: string
  readonly now?: () => number
  readonly heartbeatMs?: number
  readonly staleMs?: number
  /** Whether a pid is alive on this host (default: signal 0). */
  readonly isAlive?: (pid: number) => boolean
}

export function ownerFileOf(databaseFile: string): string {
  return `${resolve(databaseFile)}.owner`
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readOwner(path: string): { owner: SqliteOwner; touchedAt: number } | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as SqliteOwner
    if (typeof owner.pid !== 'number' || typeof owner.host !== 'string') return null
    return { owner, touchedAt: statSync(path).mtimeMs }
  } catch {
    return null
  }
}

/**
 * Claims `databaseFile` for this process or throws `SqliteInUseError` naming the owner.
 * A stale owner file is replaced.
 */
export function claimSqliteFile(databaseFile: string, options: ClaimOptions = {}): SqliteOwnership {
  const path = ownerFileOf(databaseFile)
  const now = options.now ?? Date.now
  const me: SqliteOwner = {
    pid: options.pid ?? process.pid,
    host: options.host ?? osHostname(),
    since: now(),
  }
  const isAlive = options.isAlive ?? pidIsAlive
  const staleMs = options.staleMs ?? 10_000
  mkdirSync(dirname(path), { recursive: true })
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, JSON.stringify(me))
      closeSync(fd)
      return startHeartbeat(path, me, options.heartbeatMs ?? 2_000)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const found = readOwner(path)
    const stale =
      found === null ||
      (found.owner.host === me.host && !isAlive(found.owner.pid)) ||
      now() - found.touchedAt > staleMs
    if (!stale) throw new SqliteInUseError(databaseFile, found.owner)
    rmSync(path, { force: true })
  }
  throw new Error(`Could not claim ${path}: another process keeps recreating it`)
}

function startHeartbeat(path: string, me: SqliteOwner, heartbeatMs: number): SqliteOwnership {
  const timer = setInterval(() => {
    const at = new Date()
    try {
      utimesSync(path, at, at)
    } catch {
      // Removed by hand: the next start will simply claim the file again.
    }
  }, heartbeatMs)
  timer.unref()
  let released = false
  return {
    release() {
      if (released) return
      released = true
      clearInterval(timer)
      const current = readOwner(path)
      if (current && current.owner.pid === me.pid && current.owner.host === me.host) {
        rmSync(path, { force: true })
      }
    },
  }
}
