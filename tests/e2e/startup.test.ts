import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { runPlatformToExit, startPlatform, tempDataDir } from './platform-process.js'

const PERSONAS_DIR = join(process.cwd(), 'personas')

describe('npm start on a fresh machine', () => {
  it('starts with nothing configured, reports each component, and exits 0 cleanly on Ctrl-C', async () => {
    const dir = tempDataDir()
    const platform = await startPlatform({ PERSONAS_DIR, OLLAMA_HOSTS: 'http://127.0.0.1:9' }, dir)
    const res = await fetch(`${platform.url}/health`)
    // No Ollama host answers: degraded, not ok.
    expect(res.status).toBe(503)
    const body = (await res.json()) as {
      status: string
      components: { name: string; status: string }[]
    }
    expect(body.status).toBe('degraded')
    const byName = new Map(body.components.map((c) => [c.name, c.status]))
    expect(byName.get('database')).toBe('up')
    expect(byName.get('ollama')).toBe('down')
    for (const name of ['mail', 'stripe', 'discord', 'telegram'])
      expect(byName.get(name)).toBe('disabled')
    expect((await fetch(`${platform.url}/health/live`)).status).toBe(200)
    expect((await fetch(`${platform.url}/health/ready`)).status).toBe(503)
    expect(
      platform.logs.some((l) => /Discord is disabled: set DISCORD_TOKEN/.test(String(l.msg))),
    ).toBe(true)
    expect(
      platform.logs.some((l) => /Telegram is disabled: set TELEGRAM_BOT_TOKEN/.test(String(l.msg))),
    ).toBe(true)

    // How long the exit takes is a benchmark row (`npm run bench -- process`, target < 2 s);
    // here: what the process did, which holds however busy the machine is.
    const shutdownFrom = platform.logs.length
    const { code } = await platform.stop('SIGINT')
    expect(code).toBe(0)
    // Start-up reports still running in the background may interleave. Each step once, the
    // exit request first and 'stopped' after it (the full lines are shown if this fails).
    const shutdown = platform.logs.slice(shutdownFrom)
    const msgs = shutdown.map((l) => String(l.msg))
    const detail = JSON.stringify(shutdown)
    for (const step of [
      'shutting down',
      'draining: no new work; replies in flight may finish within SHUTDOWN_GRACE_MS',
      'stopped',
    ]) {
      expect(
        msgs.filter((m) => m === step),
        detail,
      ).toHaveLength(1)
    }
    expect(msgs.indexOf('shutting down'), detail).toBeLessThan(msgs.indexOf('stopped'))
    expect(shutdown.find((l) => l.msg === 'shutting down')).toMatchObject({ reason: 'SIGINT' })
    // No error or fatal line: no failed close, no 'shutdown took too long'.
    expect(shutdown.filter((l) => (l.level ?? 0) >= 50)).toEqual([])
    expect(platform.stderr()).toBe('')
    // Nothing left behind: the port is closed, the database closed cleanly (WAL folded in and
    // removed) and the file released for the next process.
    await expect(fetch(`${platform.url}/health/live`)).rejects.toThrow()
    const file = join(dir, 'data/justlayme.sqlite')
    expect(existsSync(file)).toBe(true)
    expect(existsSync(`${file}-wal`)).toBe(false)
    expect(existsSync(`${file}.owner`)).toBe(false)
  })

  it('creates the SQLite file and keeps the generated link secret across restarts', async () => {
    const dir = tempDataDir()
    const env = { PERSONAS_DIR, OLLAMA_HOSTS: 'http://127.0.0.1:9' }
    const readSecret = () => {
      const db = new Database(join(dir, 'data/justlayme.sqlite'), { readonly: true })
      try {
        return (
          db.prepare("select value from kv where key = 'link_secret'").get() as
            | { value: string }
            | undefined
        )?.value
      } finally {
        db.close()
      }
    }
    const first = await startPlatform(env, dir)
    await first.stop('SIGTERM')
    const secret = readSecret()
    expect(secret).toMatch(/^[0-9a-f]{64}$/)
    const second = await startPlatform(env, dir)
    await second.stop('SIGTERM')
    expect(readSecret()).toBe(secret)
  })

  it.each([
    ['DATABASE_URL', 'mysql://x'],
    ['PORT', 'abc'],
  ])('exits 1 naming %s when it is %s, without a stack trace', async (name, value) => {
    const result = await runPlatformToExit({ [name]: value })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${name}=`)
    expect(result.stderr).toMatch(/expected .*, for example/)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('npm run migrate creates the schema and exits 0, and a second run changes nothing', async () => {
    const dir = tempDataDir()
    const file = join(dir, 'migrated.sqlite')
    const run = () =>
      promisify(execFile)(process.execPath, [join(process.cwd(), 'dist/src/migrate-cli.js')], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: file },
      })
    const first = await run()
    expect(first.stdout).toContain('migration applied')
    const second = await run()
    expect(second.stdout).not.toContain('migration applied')
    expect(second.stdout).toContain('database is up to date')
    const db = new Database(file, { readonly: true })
    try {
      const tables = (
        db.prepare("select name from sqlite_master where type = 'table'").all() as {
          name: string
        }[]
      ).map((t) => t.name)
      expect(tables).toEqual(
        expect.arrayContaining([
          'account',
          'identity',
          'conversation',
          'message',
          'subscription',
          'email_outbox',
        ]),
      )
    } finally {
      db.close()
    }
  })

  it('lists every wrong variable in one message', async () => {
    const result = await runPlatformToExit({
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
    })
    expect(result.code).toBe(1)
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL'])
      expect(result.stderr).toContain(`${name}=`)
    expect(result.stderr).toMatch(/3 problems/)
  })
})
