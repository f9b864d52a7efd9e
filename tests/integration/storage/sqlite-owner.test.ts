import { existsSync, mkdtempSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  claimSqliteFile,
  ownerFileOf,
  SqliteInUseError,
} from '../../../src/storage/sqlite-owner.js'

const dbFile = () => join(mkdtempSync(join(tmpdir(), 'jlm-owner-')), 'data', 'db.sqlite')

describe('claimSqliteFile', () => {
  it('refuses a second claim while the owner lives, naming pid, host and start time', () => {
    const file = dbFile()
    const first = claimSqliteFile(file, { pid: 111, host: 'box-a', now: () => 1_000 })
    let thrown: unknown
    try {
      claimSqliteFile(file, { pid: 222, host: 'box-a', isAlive: () => true })
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(SqliteInUseError)
    expect((thrown as SqliteInUseError).owner).toEqual({ pid: 111, host: 'box-a', since: 1_000 })
    expect((thrown as Error).message).toContain('pid 111 on host box-a')
    expect((thrown as Error).message).toContain('1970-01-01T00:00:01.000Z')
    first.release()
    expect(existsSync(ownerFileOf(file))).toBe(false)
  })

  it('takes over from an owner whose pid is gone on this host', () => {
    const file = dbFile()
    claimSqliteFile(file, { pid: 111, host: 'box-a' })
    const next = claimSqliteFile(file, { pid: 222, host: 'box-a', isAlive: () => false })
    next.release()
    expect(existsSync(ownerFileOf(file))).toBe(false)
  })

  it('keeps refusing an owner on another host while its heartbeat is fresh, then takes over', () => {
    const file = dbFile()
    claimSqliteFile(file, { pid: 111, host: 'box-a' })
    const other = { pid: 222, host: 'box-b', isAlive: () => false, staleMs: 10_000 }
    expect(() => claimSqliteFile(file, other)).toThrow(SqliteInUseError)
    const old = new Date(Date.now() - 60_000)
    utimesSync(ownerFileOf(file), old, old)
    const next = claimSqliteFile(file, other)
    next.release()
  })

  it('does not remove a file another process claimed after it', () => {
    const file = dbFile()
    const first = claimSqliteFile(file, { pid: 111, host: 'box-a' })
    const second = claimSqliteFile(file, { pid: 222, host: 'box-a', isAlive: () => false })
    first.release()
    expect(existsSync(ownerFileOf(file))).toBe(true)
    second.release()
    expect(existsSync(ownerFileOf(file))).toBe(false)
  })
})
