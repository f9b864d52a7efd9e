import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DoubleChatRequest } from '../doubles/ollama-double.js'
import { World, waitUntil } from './e2e-world.js'

/**
 * Issue 9 §Faults against one spawned platform: Ollama down at start, dying, hanging and
 * missing a model; SMTP down; `kill -9` mid-reply; Telegram and Discord answering 429/5xx.
 */

const FALLBACK = 'qwen2.5:0.5b'
const OFFLINE = /The model server is offline right now/
const TOO_SLOW = /The model took too long to answer/
const NOT_ANSWERING = new RegExp(`${OFFLINE.source}|${TOO_SLOW.source}`)
/**
 * How long the platform waits for a first token or the next one. Long enough that a loaded
 * machine does not turn a normal answer into a timeout; the hang test waits it out once.
 */
const TIMEOUT_MS = 5_000

let world: World

const lastUserText = (r: DoubleChatRequest) =>
  r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''
const echo = (r: DoubleChatRequest) => `Echo (${r.model}): ${lastUserText(r)} END`
/** A reply is settled once it is complete or ends in a failure message. */
const finished = (texts: string[]) =>
  texts.some((t) => t.includes('END') || NOT_ANSWERING.test(t) || t.includes('⚠️'))

async function ensureOllamaUp(): Promise<void> {
  const listening = await fetch(world.ollama.url).then(
    () => true,
    () => false,
  )
  if (!listening) await world.ollama.start()
}

beforeAll(async () => {
  world = await World.start({
    ollamaDown: true,
    env: {
      OLLAMA_FALLBACK_MODEL: FALLBACK,
      OLLAMA_FIRST_TOKEN_TIMEOUT_MS: String(TIMEOUT_MS),
      OLLAMA_IDLE_TIMEOUT_MS: String(TIMEOUT_MS),
      FREE_DAILY_MESSAGES: '1000',
    },
    ollama: { models: ['llama3.2', FALLBACK], tokenIntervalMs: 10 },
  })
})

afterAll(async () => {
  await world?.close()
})

beforeEach(() => {
  world.ollama.set({
    models: ['llama3.2', FALLBACK],
    reply: echo,
    tokenIntervalMs: 10,
    failure: null,
    failureCount: null,
  })
})

/**
 * Sends until a real answer arrives (the circuit breaker lets a probe through after a while).
 * Until then every reply must be one of the two notices a person gets while Ollama is not
 * answering: offline (connection refused, circuit open) or, when the host just came back and a
 * busy machine holds the first token past the timeout, too slow. Nothing else (no error, no
 * silence, no partial text) is accepted.
 */
async function sayUntilAnswered(user: number, text: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (let i = 0; ; i++) {
    const texts = await world.telegramSay(user, `${text} ${i}`, finished)
    const answer = texts.find((t) => t.includes('END'))
    if (answer) return answer
    expect(texts.join('\n')).toMatch(NOT_ANSWERING)
    expect(texts.filter((t) => t.includes('⚠️'))).toEqual([])
    if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
}

describe('Ollama faults', () => {
  it('tells people the model is offline while Ollama is down at start, and recovers without a restart', async () => {
    await world.platform.waitForLog((l) => l.msg === 'llm host unreachable at start')
    // If another test already brought it up, take it down again for this one.
    await world.ollama.stop()
    const down = await world.telegramSay(701_001, 'anyone there?', finished)
    expect(down).toEqual([expect.stringMatching(OFFLINE)])

    await world.ollama.start()
    const answer = await sayUntilAnswered(701_001, 'back yet?')
    expect(answer).toMatch(/^Echo \(llama3\.2\): back yet\? \d+ END$/)
    expect(world.platform.child.exitCode).toBeNull()
  })

  it('keeps the partial text and says what happened when Ollama dies mid-stream', async () => {
    await ensureOllamaUp()
    await sayUntilAnswered(701_002, 'warm up')
    world.ollama.set({
      reply: () => 'alpha beta gamma delta epsilon zeta END',
      failure: { type: 'destroy', afterTokens: 3 },
      failureCount: 1,
    })
    const texts = await world.telegramSay(701_002, 'tell me', (t) => t.some((x) => x.includes('⚠️')))
    expect(texts.at(-1)).toMatch(/^alpha beta gamma/)
    expect(texts.at(-1)).toContain('⚠️')
    expect(texts.at(-1)).toContain('stopped answering partway through')
    const stored = world.query<{ status: string; content: string }>(
      "select status, content from message where role = 'assistant' order by id desc limit 1",
    )
    expect(stored[0]).toMatchObject({
      status: 'partial',
      content: expect.stringMatching(/^alpha beta gamma/),
    })

    world.ollama.set({ reply: echo })
    const next = await world.telegramSay(701_002, 'still there?', (t) =>
      t.some((x) => x.includes('END')),
    )
    expect(next.at(-1)).toMatch(/^Echo \(.+\): still there\? END$/)
  })

  it('answers with a timeout message when Ollama hangs, then answers normally', async () => {
    await ensureOllamaUp()
    await sayUntilAnswered(701_003, 'warm up')
    world.ollama.set({ failure: { type: 'hang' }, failureCount: 1 })
    const started = Date.now()
    const texts = await world.telegramSay(701_003, 'are you stuck?', finished)
    expect(texts).toEqual(['The model took too long to answer. Please try again.'])
    // The notice came from the platform's first-token timeout, not from something sooner.
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS)
    const next = await world.telegramSay(701_003, 'and now?', (t) =>
      t.some((x) => x.includes('END')),
    )
    expect(next.at(-1)).toMatch(/^Echo \(.+\): and now\? END$/)
  })

  it('falls back to OLLAMA_FALLBACK_MODEL when the model answers 404', async () => {
    await ensureOllamaUp()
    await sayUntilAnswered(701_004, 'warm up')
    world.ollama.set({ models: [FALLBACK] })
    const texts = await world.telegramSay(701_004, 'use what you have', (t) =>
      t.some((x) => x.includes('END')),
    )
    expect(texts.at(-1)).toBe(`Echo (${FALLBACK}): use what you have END`)
    expect(world.ollama.requestsTo('/api/chat', FALLBACK).length).toBeGreaterThan(0)

    // Once the model is installed again the platform goes back to it by itself (tags refresh).
    world.ollama.set({ models: ['llama3.2', FALLBACK] })
    const deadline = Date.now() + 90_000
    for (let i = 0; ; i++) {
      const again = await world.telegramSay(701_004, `model back ${i}`, (t) =>
        t.some((x) => x.includes('END')),
      )
      if (again.at(-1)?.startsWith('Echo (llama3.2)')) break
      expect(again.at(-1)).toBe(`Echo (${FALLBACK}): model back ${i} END`)
      if (Date.now() > deadline) throw new Error('never went back to llama3.2')
      await new Promise((resolve) => setTimeout(resolve, 2_000))
    }
  }, 120_000)
})

describe('SMTP down for a while', () => {
  it('delivers the queued email exactly once when SMTP returns', async () => {
    const address = 'smtp-outage@example.com'
    await world.smtp.down()
    const asked = await world.telegramSay(702_001, `/verify ${address}`)
    expect(asked[0]).toContain(`I sent a link to ${address}`)
    await world.platform.waitForLog((l) => l.msg === 'SMTP unavailable; emails wait in the outbox')
    expect(world.smtp.messages.filter((m) => m.envelopeTo.includes(address))).toHaveLength(0)

    await world.smtp.up()
    await world.verificationLink(address)
    await waitUntil(
      () =>
        world.query<{ status: string }>(
          "select status from email_outbox where to_address = ? and kind like '%verif%'",
          address,
        )[0]?.status === 'sent',
      60_000,
      'outbox row marked sent',
    )
    // Another email goes through the same worker: the first one is still there only once.
    await world.telegramSay(702_001, '/verify second-after-outage@example.com')
    await world.verificationLink('second-after-outage@example.com')
    expect(world.smtp.messages.filter((m) => m.envelopeTo.includes(address))).toHaveLength(1)
  }, 120_000)
})

describe('Telegram and Discord answering 429 and 5xx bursts', () => {
  it('completes Telegram replies through 429 and 5xx answers', async () => {
    await ensureOllamaUp()
    const user = 703_001
    await sayUntilAnswered(user, 'warm up')
    world.telegram.failNext(
      'sendMessage',
      {
        code: 429,
        description: 'Too Many Requests: retry after 1',
        parameters: { retry_after: 1 },
      },
      2,
    )
    world.telegram.failNext('editMessageText', { code: 502, description: 'Bad Gateway' }, 2)
    world.telegram.failNext(
      'editMessageText',
      {
        code: 429,
        description: 'Too Many Requests: retry after 1',
        parameters: { retry_after: 1 },
      },
      2,
    )
    world.ollama.set({ tokenIntervalMs: 60 })
    const texts = await world.telegramSay(user, 'through the storm', (t) =>
      t.some((x) => x.includes('END')),
    )
    // The model may still be the fallback after the 404 test; the text is what matters here.
    expect(texts.at(-1)).toMatch(/^Echo \(.+\): through the storm END$/)
    const failed = world.telegram.calls.filter((c) => c.error && Number(c.body.chat_id) === user)
    expect(failed.length).toBeGreaterThanOrEqual(2)
  })

  it('completes Discord DM replies through 429 and 5xx answers', async () => {
    await ensureOllamaUp()
    const userId = world.discord.users.bob.id
    await world.discordDm(userId, 'warm up', (t) => t.some((x) => x.includes('END')), 60_000)
    world.discord.force429(/^\/channels\/\d+\/messages/, 3)
    world.discord.force5xx(/^\/channels\/\d+\/messages/, 2)
    world.ollama.set({ tokenIntervalMs: 60 })
    const texts = await world.discordDm(userId, 'through the storm', (t) =>
      t.some((x) => x.includes('through the storm END')),
    )
    expect(texts.at(-1)).toMatch(/Echo \(.+\): through the storm END$/)
    const answered = world.discord.requests.filter((r) => r.status === 429 || r.status === 502)
    expect(answered.length).toBeGreaterThanOrEqual(5)
  })
})

describe('kill -9 while a reply streams and an email is queued', () => {
  it('keeps the message and the partial reply, resumes the outbox, applies no webhook twice, keeps answering', async () => {
    await ensureOllamaUp()
    const user = 704_001
    const address = 'crash@example.com'
    await sayUntilAnswered(user, 'warm up')

    // A subscription whose webhooks were applied before the crash.
    await world.telegramSay(user, '/subscribe')
    const sessionId = await world.openSubscribeLink(world.telegramLinks(user).at(-1) ?? '')
    const paid = await world.pay(sessionId)
    await world.telegram.until(() =>
      world.telegram.botMessages(user).some((m) => m.text.startsWith('Premium is active')),
    )
    const appliedEvents = world.query<{ n: number }>('select count(*) n from stripe_event')[0]?.n

    // An email stuck in the outbox.
    await world.smtp.down()
    await world.telegramSay(user, `/verify ${address}`)
    await waitUntil(
      () =>
        world.query(
          "select id from email_outbox where to_address = ? and status != 'sent'",
          address,
        ).length === 1,
      20_000,
      'verification email queued',
    )

    // A reply streaming slowly; kill once part of it is stored.
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ')
    world.ollama.set({ reply: () => `${words} END`, tokenIntervalMs: 150 })
    world.telegram.injectMessage({ chatId: user, userId: user, text: 'a long story please' })
    await waitUntil(
      () =>
        world.query<{ content: string }>(
          "select content from message where role = 'assistant' and status = 'partial' and content like 'w0 w1 w2%'",
        )[0],
      30_000,
      'partial reply stored',
    )
    await world.platform.kill9()

    await world.smtp.up()
    world.ollama.set({ reply: echo, tokenIntervalMs: 10 })
    await world.restart()

    const rows = world.query<{ role: string; status: string; content: string }>(
      'select role, status, content from message order by id',
    )
    const askedAt = rows.findIndex((r) => r.role === 'user' && r.content === 'a long story please')
    expect(askedAt).toBeGreaterThanOrEqual(0)
    expect(rows[askedAt + 1]).toMatchObject({ role: 'assistant', status: 'partial' })
    expect(rows[askedAt + 1]?.content).toMatch(/^w0 w1 w2/)
    expect(rows[askedAt + 1]?.content).not.toContain('END')

    // The outbox resumes: the email queued before the crash arrives, once.
    await world.verificationLink(address)

    // Replaying the same webhooks after the restart applies none of them twice.
    const subscriptionsBefore = world.query('select * from subscription')
    for (const event of paid.events) {
      const replay = await world.webhook(event)
      expect(replay.status).toBe(200)
      expect(replay.body).toMatchObject({ outcome: 'duplicate' })
    }
    expect(world.query('select * from subscription')).toEqual(subscriptionsBefore)
    expect(world.query('select count(*) n from stripe_event')[0]).toEqual({ n: appliedEvents })

    // The bot keeps answering.
    const after = await sayUntilAnswered(user, 'are you back')
    expect(after).toMatch(/^Echo \(.+\): are you back \d+ END$/)
    expect(world.smtp.messages.filter((m) => m.envelopeTo.includes(address))).toHaveLength(1)
    const notices = world.telegram
      .botMessages(user)
      .filter((m) => m.text.startsWith('Premium is active'))
    expect(notices).toHaveLength(1)
  }, 180_000)
})
