import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runPlatformToExit, startPlatform, tempDataDir } from './platform-process.js'

const PERSONAS_DIR = join(process.cwd(), 'personas')

describe('one process per SQLite file', () => {
  it('refuses a second process on the same file, naming the first, and starts after kill -9', async () => {
    const dir = tempDataDir()
    const file = join(dir, 'jlm.sqlite')
    const env = { PERSONAS_DIR, OLLAMA_HOSTS: 'http://127.0.0.1:9', DATABASE_URL: file }
    const first = await startPlatform(env, dir)
    try {
      const second = await runPlatformToExit({ ...env, PORT: '0', HOST: '127.0.0.1' })
      expect(second.code).toBe(1)
      expect(second.stderr).toContain(`The SQLite database ${file} is already in use`)
      expect(second.stderr).toContain(`pid ${first.child.pid}`)
      expect(second.stderr).toMatch(/running since \d{4}-\d\d-\d\dT/)
      expect(second.stderr).toContain('PostgreSQL')
      expect((await fetch(`${first.url}/health/live`)).status).toBe(200)
    } finally {
      await first.kill9()
    }
    // The dead owner left its file behind; the next start takes over without a manual step.
    expect(existsSync(`${file}.owner`)).toBe(true)
    const third = await startPlatform(env, dir)
    const { code } = await third.stop('SIGTERM')
    expect(code).toBe(0)
    expect(existsSync(`${file}.owner`)).toBe(false)
  })
})
