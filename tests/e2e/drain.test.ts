import { afterEach, describe, expect, it } from 'vitest'
import { World } from './e2e-world.js'

/**
 * Issue 24: a stop signal drains. The platform runs as `npm start` runs it (`node
 * dist/src/main.js`) against the doubles; the Ollama double streams slowly so a reply is still
 * running when SIGTERM arrives.
 */
const USER = 700_100_001
const RESTART_LINE = 'The bot restarted before finishing this reply'

let world: World | undefined
afterEach(async () => {
  await world?.close()
  world = undefined
})

/** The platform's exit, with how long it took from the signal. */
function exitOf(w: World): Promise<{ code: number | null; at: number }> {
  return w.platform.exited().then((code) => ({ code, at: Date.now() }))
}

async function waitForStreaming(w: World, chatId: number): Promise<void> {
  await w.telegram.until(() => w.telegram.botMessages(chatId).some((m) => /token\d/.test(m.text)))
}

function buttonsOf(markup: unknown): { text?: string; callback_data?: string }[] {
  const keyboard = (markup as { inline_keyboard?: unknown[][] } | undefined)?.inline_keyboard
  return (keyboard ?? []).flat() as { text?: string; callback_data?: string }[]
}

describe('a stop signal drains replies in flight', () => {
  it('lets a reply that needs 6 more seconds finish, reports draining, and exits 0', async () => {
    world = await World.start({
      env: { SHUTDOWN_GRACE_MS: '20000' },
      ollama: { replyTokens: 35, tokenIntervalMs: 200 },
    })
    const w = world
    w.telegram.injectMessage({ chatId: USER, userId: USER, text: 'tell me a long story' })
    await waitForStreaming(w, USER)
    const exit = exitOf(w)
    const signalled = Date.now()
    w.platform.child.kill('SIGTERM')

    await w.platform.waitForLog((l) => String(l.msg).startsWith('draining'), 10_000)
    const ready = await fetch(`${w.url}/health/ready`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({ status: 'draining' })
    const health = await fetch(`${w.url}/health`)
    expect(health.status).toBe(503)
    expect(await health.json()).toMatchObject({ status: 'draining', repliesInFlight: 1 })

    const { code, at } = await exit
    expect(code).toBe(0)
    expect(at - signalled).toBeGreaterThan(1_000)
    const last = w.telegram.botMessages(USER).at(-1)
    expect(last?.text).toContain('token34')
    expect(last?.text).not.toContain(RESTART_LINE)
    const stored = w.query<{ status: string; content: string }>(
      "select status, content from message where role = 'assistant' order by id desc limit 1",
    )
    expect(stored[0]?.status).toBe('complete')
  })

  it('cuts a reply longer than the grace with the restart line and Regenerate, which works after the restart', async () => {
    world = await World.start({
      env: { SHUTDOWN_GRACE_MS: '1500' },
      ollama: { replyTokens: 200, tokenIntervalMs: 200 },
    })
    const w = world
    w.telegram.injectMessage({ chatId: USER, userId: USER, text: 'an endless story please' })
    await waitForStreaming(w, USER)
    const { code } = await w.platform.stop('SIGTERM', 30_000)
    expect(code).toBe(0)

    const cut = w.telegram.botMessages(USER).at(-1)
    expect(cut?.text).toContain(RESTART_LINE)
    expect(cut?.text).toMatch(/token\d/)
    const regenerate = buttonsOf(cut?.replyMarkup).find((b) => b.text === 'Regenerate')
    expect(regenerate?.callback_data).toBeDefined()
    const stored = w.query<{ status: string }>(
      "select status from message where role = 'assistant' order by id desc limit 1",
    )
    expect(stored[0]?.status).toBe('partial')

    w.ollama.set({ replyTokens: 5, tokenIntervalMs: 0 })
    await w.restart()
    const before = w.telegram.botMessages(USER).length
    w.telegram.injectCallbackQuery({
      chatId: USER,
      userId: USER,
      messageId: cut?.message_id ?? 0,
      data: regenerate?.callback_data ?? '',
    })
    const regenerated = await w.telegram.until(() =>
      w.telegram
        .botMessages(USER)
        .slice(before)
        .find((m) => m.text.includes('token4')),
    )
    expect(regenerated.text).not.toContain(RESTART_LINE)

    const next = await w.telegramSay(USER, 'and now?', (t) => t.some((x) => x.includes('token4')))
    expect(next.join('\n')).not.toMatch(/restart/i)
  })

  it('exits at once on a second signal', async () => {
    world = await World.start({
      env: { SHUTDOWN_GRACE_MS: '60000' },
      ollama: { replyTokens: 400, tokenIntervalMs: 200 },
    })
    const w = world
    w.telegram.injectMessage({ chatId: USER, userId: USER, text: 'never-ending' })
    await waitForStreaming(w, USER)
    const exit = exitOf(w)
    w.platform.child.kill('SIGTERM')
    await w.platform.waitForLog((l) => String(l.msg).startsWith('draining'), 10_000)
    await new Promise((r) => setTimeout(r, 1_200))
    const second = Date.now()
    w.platform.child.kill('SIGTERM')
    const { code, at } = await exit
    expect(code).toBe(1)
    expect(at - second).toBeLessThan(5_000)
    expect(w.platform.logs.some((l) => String(l.msg).startsWith('second stop signal'))).toBe(true)
  })

  it('shows the restart line and Regenerate on Discord too', async () => {
    world = await World.start({
      env: { SHUTDOWN_GRACE_MS: '1500' },
      ollama: { replyTokens: 200, tokenIntervalMs: 200 },
    })
    const w = world
    const userId = '400000000000000001'
    const channelId = w.discord.dmChannelFor(userId)
    w.discord.injectMessage({
      channelId,
      author: { id: userId, username: 'drainer' },
      content: 'a long tale',
    })
    await w.discord.waitFor(
      () =>
        w.discord
          .channelMessages(channelId)
          .some((m) => m.authorId !== userId && /token\d/.test(m.content)),
      30_000,
    )
    const { code } = await w.platform.stop('SIGTERM', 30_000)
    expect(code).toBe(0)
    const reply = w.discord
      .channelMessages(channelId)
      .filter((m) => m.authorId !== userId)
      .at(-1)
    expect(reply?.content).toContain(RESTART_LINE)
    expect(JSON.stringify(reply?.components)).toContain('Regenerate')
  })
})
