import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import SQLite from 'better-sqlite3'

const ALL_PAGES = 0x7fffffff
const BACKUP_NAME = /^justlayme-\d{8}-\d{6}(-\d+)?\.sqlite$/

/** `PRAGMA integrity_check` of a SQLite file: 'ok' or the first problems SQLite reports. */
export function integrityOf(file: string): string {
  const db = new SQLite(file, { readonly: true, fileMustExist: true })
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[]
    return rows.map((r) => r.integrity_check).join('; ')
  } finally {
    db.close()
  }
}

function stamp(at: Date): string {
  const iso = at.toISOString() // 2026-12-04T16:06:00.000Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`
}

export interface BackupResult {
  readonly file: string
  readonly removed: readonly string[]
}

/**
 * Copies a live SQLite database with SQLite's online backup API (consistent while the platform
 * keeps writing), checks the copy with `integrity_check`, and keeps the newest `keep` backups
 * in `dir`. The copy appears under its final name only once it is complete and checked.
 */
export async function backupSqlite(
  databaseFile: string,
  dir: string,
  keep: number,
  now: Date = new Date(),
): Promise<BackupResult> {
  if (!existsSync(databaseFile)) throw new Error(`No database at ${databaseFile} (DATABASE_URL)`)
  mkdirSync(dir, { recursive: true })
  let name = `justlayme-${stamp(now)}.sqlite`
  for (let n = 1; existsSync(join(dir, name)); n++) name = `justlayme-${stamp(now)}-${n}.sqlite`
  const file = join(dir, name)
  const partial = `${file}.partial`
  const source = new SQLite(databaseFile, { fileMustExist: true })
  try {
    source.pragma('busy_timeout = 5000')
    // All remaining pages in one step: a step reads one snapshot, so writes by the running
    // platform (WAL readers never block writers) cannot restart the copy again and again.
    await source.backup(partial, { progress: () => ALL_PAGES })
  } finally {
    source.close()
  }
  // A single self-contained file: no -wal/-shm beside the copy.
  const copy = new SQLite(partial, { fileMustExist: true })
  try {
    copy.pragma('journal_mode = DELETE')
  } finally {
    copy.close()
  }
  const integrity = integrityOf(partial)
  if (integrity !== 'ok') {
    rmSync(partial, { force: true })
    throw new Error(`The backup failed its integrity check: ${integrity}`)
  }
  renameSync(partial, file)
  const backups = readdirSync(dir)
    .filter((f) => BACKUP_NAME.test(f))
    .sort()
  const removed = backups.slice(0, Math.max(0, backups.length - keep))
  for (const old of removed) rmSync(join(dir, old), { force: true })
  return { file, removed }
}

/**
 * Puts a backup in place of the database (the platform must be stopped): checks the backup,
 * keeps the current file as `<database>.before-restore-<time>`, and drops its WAL files.
 * Returns the path of the kept previous database, if there was one.
 */
export function restoreSqlite(
  backupFile: string,
  databaseFile: string,
  now: Date = new Date(),
): string | undefined {
  if (!existsSync(backupFile)) throw new Error(`No backup at ${backupFile}`)
  const integrity = integrityOf(backupFile)
  if (integrity !== 'ok') throw new Error(`${basename(backupFile)} is damaged: ${integrity}`)
  let kept: string | undefined
  if (existsSync(databaseFile)) {
    // Fold the WAL into the file first, so the kept copy is complete on its own.
    const current = new SQLite(databaseFile, { fileMustExist: true })
    try {
      current.pragma('wal_checkpoint(TRUNCATE)')
    } finally {
      current.close()
    }
    kept = `${databaseFile}.before-restore-${stamp(now)}`
    renameSync(databaseFile, kept)
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${databaseFile}${suffix}`, { force: true })
  copyFileSync(backupFile, databaseFile)
  return kept
}
