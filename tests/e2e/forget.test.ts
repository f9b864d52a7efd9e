import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DoubleChatRequest } from '../doubles/ollama-double.js'
import { World } from './e2e-world.js'

/**
 * Issue 23 against the compiled platform: after `/forget yes` on Telegram, the person's words
 * are in neither the SQLite file nor its WAL, and no log line at info level ever held them.
 */

let world: World

const lastUserText = (r: DoubleChatRequest) =>
  r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''

beforeAll(async () => {
  world = await World.start()
  world.ollama.set({ reply: (r) => `You said "${lastUserText(r)}". End of reply.` })
})

afterAll(async () => {
  await world?.close()
})

function hitsOnDisk(file: string, words: readonly string[]): number {
  let hits = 0
  for (const path of [file, `${file}-wal`]) {
    if (!existsSync(path)) continue
    const bytes = readFileSync(path)
    for (const w of words) {
      const needle = Buffer.from(w)
      for (let i = bytes.indexOf(needle); i !== -1; i = bytes.indexOf(needle, i + 1)) hits++
    }
  }
  return hits
}

describe('/forget on a running platform', () => {
  it('leaves the words in neither the database files nor the logs', async () => {
    const user = 623_001
    const words: string[] = []
    for (let turn = 0; turn < 6; turn++) {
      const word = `zq${randomBytes(6).toString('hex')}`
      words.push(word)
      await world.telegramSay(user, `turn ${turn}: my word is ${word}`, (texts) =>
        texts.some((t) => t.includes(word) && t.includes('End of reply.')),
      )
    }
    const file = world.env.DATABASE_URL as string
    expect(hitsOnDisk(file, words)).toBeGreaterThan(0)

    const answer = await world.telegramSay(user, '/forget yes')
    expect(answer[0]).toMatch(/Done: deleted 1 private conversation and their memory/)
    expect(answer[0]).toMatch(/cannot delete.*Discord or Telegram.*backups/s)
    expect(hitsOnDisk(file, words)).toBe(0)

    // The log line is written as the answer goes out; it may reach us just after the answer.
    await world.platform.waitForLog((l) => l.msg === 'account forgotten')
    const logged = world.platform.logs
      .map((line) => JSON.stringify(line))
      .filter((line) => words.some((w) => line.includes(w)))
    expect(logged).toEqual([])
    expect(world.errors()).toEqual([])
  })
})
