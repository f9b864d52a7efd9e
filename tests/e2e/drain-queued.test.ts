import { afterEach, describe, expect, it } from 'vitest'
import { World } from './e2e-world.js'

/**
 * Issue #24 item 2: messages received but not yet started when a drain begins are not lost.
 * One process: SIGTERM while a reply streams and 5 more messages wait behind it; after the
 * restart each of the 5 is answered exactly once.
 */
const USER = 700_200_001
const NOT_ANSWERED = 'was not answered'

let world: World | undefined
afterEach(async () => {
  await world?.close()
  world = undefined
})

describe('messages waiting at a drain', () => {
  it('answers 5 waiting Telegram messages exactly once after the restart', async () => {
    world = await World.start({
      env: { SHUTDOWN_GRACE_MS: '1500' },
      ollama: {
        tokenIntervalMs: 200,
        replyTokens: 100,
      },
    })
    const w = world
    w.telegram.injectMessage({ chatId: USER, userId: USER, text: 'first, a long story' })
    await w.telegram.until(() => w.telegram.botMessages(USER).some((m) => /token\d/.test(m.text)))
    for (let i = 1; i <= 5; i++) {
      w.telegram.injectMessage({ chatId: USER, userId: USER, text: `waiting ${i}` })
    }
    // All five are recorded (and confirmed to Telegram) before the signal.
    await w.telegram.until(() =>
      w.telegram.callsOf('getUpdates').some((c) => Number(c.body?.offset) >= 7),
    )
    const { code } = await w.platform.stop('SIGTERM', 30_000)
    expect(code).toBe(0)
    expect(w.telegram.botMessages(USER).some((m) => m.text.includes(NOT_ANSWERED))).toBe(false)

    const askedBefore = w.ollama.requestsTo('/api/chat').length
    w.ollama.set({ replyTokens: 3, tokenIntervalMs: 0 })
    await w.restart()
    await w.telegram.until(
      () => w.ollama.requestsTo('/api/chat').length >= askedBefore + 5 || undefined,
      60_000,
    )
    const asked = w.ollama
      .requestsTo('/api/chat')
      .slice(askedBefore)
      .map((r) => {
        const messages = (r.body as { messages: { role: string; content: string }[] }).messages
        return messages.filter((m) => m.role === 'user').at(-1)?.content
      })
    expect(asked).toEqual([1, 2, 3, 4, 5].map((i) => `waiting ${i}`))
    // Each answered in one message of its own, none twice.
    await w.telegram.until(
      () =>
        w.telegram.botMessages(USER).filter((m) => m.text.trim() === 'token0 token1 token2')
          .length >= 5 || undefined,
      30_000,
    )
    const finals = w.telegram
      .botMessages(USER)
      .filter((m) => m.text.trim() === 'token0 token1 token2')
    expect(finals).toHaveLength(5)
    expect(w.telegram.botMessages(USER).some((m) => m.text.includes(NOT_ANSWERED))).toBe(false)
  })
})
