import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { integrityOf } from '../../src/storage/sqlite-backup.js'
import { claimSqliteFile } from '../../src/storage/sqlite-owner.js'
import { tempDataDir } from './platform-process.js'

const run = promisify(execFile)

/** Runs one of the built CLIs (`npm run backup` / `restore` / `migrate` run exactly these). */
async function cli(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(process.cwd(), 'dist/src', script), ...args],
      { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env }, cwd: tempDataDir() },
    )
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

function count(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return (
      db.prepare("select count(*) as n from kv where key like 'load-%'").get() as { n: number }
    ).n
  } finally {
    db.close()
  }
}

describe('npm run backup and npm run restore', () => {
  it('copies a database that is being written, keeps BACKUP_KEEP copies, and restores one', async () => {
    const dir = tempDataDir()
    // Stands in for a running platform on PORT (restore must refuse while it answers).
    const fake = createServer((_req, res) => res.end('{"status":"up"}'))
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r))
    const address = fake.address()
    const env = {
      DATABASE_URL: join(dir, 'justlayme.sqlite'),
      BACKUP_DIR: join(dir, 'backups'),
      BACKUP_KEEP: '2',
      PORT: String(typeof address === 'object' && address ? address.port : 0),
    }
    expect((await cli('migrate-cli.js', env)).code).toBe(0)

    // A steady stream of writes in WAL mode, as the running platform makes.
    const live = new Database(env.DATABASE_URL)
    live.pragma('journal_mode = WAL')
    const insert = live.prepare('insert into kv (key, value, created_at) values (?, ?, ?)')
    let written = 0
    let writing = true
    const writer = (async () => {
      while (writing) {
        live.transaction(() => {
          for (let i = 0; i < 200; i++) insert.run(`load-${written++}`, 'x'.repeat(200), Date.now())
        })()
        await new Promise((r) => setImmediate(r))
      }
    })()

    const outputs: string[] = []
    for (let i = 0; i < 3; i++) {
      const result = await cli('backup-cli.js', env)
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      outputs.push(result.stdout)
    }
    writing = false
    await writer
    expect(written).toBeGreaterThan(0)

    const backups = readdirSync(env.BACKUP_DIR).sort()
    expect(backups).toHaveLength(2)
    expect(outputs.at(-1)).toMatch(/Backup written: .*justlayme-\d{8}-\d{6}.*\.sqlite/)
    expect(outputs.at(-1)).toMatch(/Removed old backup/)
    for (const b of backups) {
      const file = join(env.BACKUP_DIR, b)
      expect(integrityOf(file)).toBe('ok')
      expect(count(file)).toBeGreaterThan(0)
    }

    const newest = join(env.BACKUP_DIR, backups.at(-1) ?? '')
    const inBackup = count(newest)
    live.close()
    expect(count(env.DATABASE_URL)).toBe(written)
    expect(inBackup).toBeLessThanOrEqual(written)

    // While something answers on PORT (the platform), restore refuses.
    const refused = await cli('restore-cli.js', env, [newest])
    await new Promise((r) => fake.close(r))
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/still running.*stop it first/)
    expect(count(env.DATABASE_URL)).toBe(written)

    // With PORT=0 there is no port to ask: a live owner of the file (the platform) refuses it.
    const owner = claimSqliteFile(env.DATABASE_URL)
    const refusedByOwner = await cli('restore-cli.js', { ...env, PORT: '0' }, [newest])
    owner.release()
    expect(refusedByOwner.code).toBe(1)
    expect(refusedByOwner.stderr).toMatch(/still running \(pid \d+ holds .*\): stop it first/)
    expect(count(env.DATABASE_URL)).toBe(written)

    const restored = await cli('restore-cli.js', env, [newest])
    expect(restored.code).toBe(0)
    expect(restored.stdout).toMatch(/previous database is kept as .*before-restore-/)
    expect(count(env.DATABASE_URL)).toBe(inBackup)
    expect(integrityOf(env.DATABASE_URL)).toBe('ok')
  })

  it('points PostgreSQL users to pg_dump', async () => {
    const result = await cli('backup-cli.js', { DATABASE_URL: 'postgres://u@127.0.0.1:1/x' })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('pg_dump')
  })
})
