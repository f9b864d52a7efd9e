import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DoubleChatRequest } from '../doubles/ollama-double.js'
import { World, waitUntilAsync } from './e2e-world.js'

/**
 * Issue 9 §Faults, PostgreSQL: instead of restarting the shared server, its connections to a
 * fresh database are terminated again and again for a few seconds while people chat. Runs only
 * when TEST_DATABASE_URL is set (e.g. postgres://postgres@127.0.0.1:5432/test).
 */

const adminUrl = process.env.TEST_DATABASE_URL
const database = `justlayme_e2e_${randomBytes(5).toString('hex')}`
let world: World | undefined

function databaseUrl(base: string, name: string): string {
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

const lastUserText = (r: DoubleChatRequest) =>
  r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''

describe.skipIf(!adminUrl)('PostgreSQL connections dropped under load', () => {
  beforeAll(async () => {
    await admin((c) => c.query(`create database ${database}`))
    world = await World.start({
      env: { DATABASE_URL: databaseUrl(adminUrl as string, database), FREE_DAILY_MESSAGES: '1000' },
      ollama: { tokenIntervalMs: 5 },
    })
    world.ollama.set({ reply: (r) => `Echo: ${lastUserText(r)} END` })
  })

  afterAll(async () => {
    await world?.close()
    await admin((c) => c.query(`drop database if exists ${database} with (force)`))
  })

  it('answers cleanly while connections are terminated and normally afterwards', async () => {
    const w = world as World
    const users = Array.from({ length: 8 }, (_, i) => 705_000 + i)
    for (const user of users) {
      const first = await w.telegramSay(user, 'before', (t) => t.some((x) => x.includes('END')))
      expect(first.at(-1)).toBe('Echo: before END')
    }

    const before = new Map(users.map((u) => [u, w.telegram.botMessages(u).length]))
    const sent = new Map(users.map((u) => [u, 0]))
    // Terminate every connection of the platform's database for ~3 s while people chat.
    const killed = await admin(async (client) => {
      let terminated = 0
      const until = Date.now() + 3_000
      let round = 0
      while (Date.now() < until) {
        const user = users[round % users.length] as number
        w.telegram.injectMessage({ chatId: user, userId: user, text: `during ${round}` })
        sent.set(user, (sent.get(user) ?? 0) + 1)
        const res = await client.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [database],
        )
        terminated += res.rowCount ?? 0
        const health = await fetch(`${w.url}/health`).catch((err: unknown) => {
          throw new Error(
            `platform stopped answering (exit code ${w.platform.child.exitCode}):\n${w.platform.stderr().slice(0, 2_000)}`,
            { cause: err },
          )
        })
        expect([200, 503]).toContain(health.status)
        round++
        await new Promise((resolve) => setTimeout(resolve, 150))
      }
      return terminated
    })
    expect(killed).toBeGreaterThan(0)

    // Every message sent during the storm got an answer: the reply or a clear error message.
    await w.telegram.until(
      () =>
        users.every((user) => {
          const fresh = w.telegram.botMessages(user).slice(before.get(user))
          return (
            fresh.length >= (sent.get(user) ?? 0) &&
            fresh.every((m) => m.text.includes('END') || /went wrong|try again/i.test(m.text))
          )
        }),
      60_000,
    )
    await waitUntilAsync(async () => (await w.health()).status === 200, 30_000, 'healthy again')

    for (const user of users) {
      const after = await w.telegramSay(user, 'after', (t) =>
        t.some((x) => x.includes('after END')),
      )
      expect(after.at(-1)).toBe('Echo: after END')
    }
    expect(w.platform.child.exitCode).toBeNull()
    expect(w.platform.logs.filter((l) => l.msg === 'unhandled promise rejection')).toEqual([])
  })
})
