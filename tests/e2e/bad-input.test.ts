import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DoubleChatRequest } from '../doubles/ollama-double.js'
import { signEvent } from '../doubles/stripe-double.js'
import { adversarialInput, hostileRegexCard, pngBomb } from '../fixtures/cards/sample-cards.js'
import { STRIPE_WEBHOOK_SECRET, World, waitUntilAsync } from './e2e-world.js'
import { type FuzzResult, fuzzRequests, runFuzz } from './fuzz.js'

/**
 * Issue 9 §Bad input against one spawned platform: clear answers, no crash, no 5xx except
 * where documented, and no change of state from garbage.
 */

let world: World
/** Harmless while `/metrics` is open; the bearer token once it is protected. */
const METRICS_TOKEN = 'e2e-metrics-bearer-token'

/** Series (sample lines) on `/metrics`, without the process and Node.js runtime ones. */
async function appSeries(): Promise<string[]> {
  const res = await fetch(`${world.url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  })
  expect(res.status).toBe(200)
  return (await res.text())
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#') && !/^(process|nodejs)_/.test(l))
}

const lastUserText = (r: DoubleChatRequest) =>
  r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''

beforeAll(async () => {
  world = await World.start({
    env: { FREE_DAILY_MESSAGES: '100000', METRICS_TOKEN: METRICS_TOKEN },
  })
  world.ollama.set({ reply: (r) => `Echo: ${lastUserText(r)} END` })
})

afterAll(async () => {
  await world?.close()
})

const complete = (texts: string[]) => texts.some((t) => t.includes('END'))

/** Row counts of the tables garbage must never touch. */
function stateCounts(): Record<string, number> {
  const count = (table: string) =>
    world.query<{ n: number }>(`select count(*) n from ${table}`)[0]?.n ?? -1
  return {
    account: count('account'),
    identity: count('identity'),
    subscription: count('subscription'),
    stripe_event: count('stripe_event'),
    email_token: count('email_token'),
    email_outbox: count('email_outbox'),
  }
}

describe('bad chat input', () => {
  it('refuses a 100,000-character message with a clear message on both platforms', async () => {
    const huge = 'x'.repeat(100_000)
    const chats = world.ollama.requestsTo('/api/chat').length
    const telegram = await world.telegramSay(801_001, huge)
    expect(telegram[0]).toMatch(
      /^That message is too long \(100,?000 characters\)\. Please keep it under 4,?000\./,
    )
    const discord = await world.discordDm(world.discord.users.bob.id, huge, (t) => t.length > 0)
    expect(discord.join('\n')).toMatch(/too long/)
    expect(world.ollama.requestsTo('/api/chat')).toHaveLength(chats)
  })

  /** Sends `text`, then a normal message; returns what reached the model in between. */
  async function sendThenNormal(user: number, text: string): Promise<string[]> {
    const chats = world.ollama.requestsTo('/api/chat').length
    const before = world.telegram.botMessages(user).length
    world.telegram.injectMessage({ chatId: user, userId: user, text })
    const answer = await world.telegramSay(user, 'real question', complete)
    expect(answer.at(-1)).toBe('Echo: real question END')
    const between = world.telegram.botMessages(user).slice(before, -answer.length)
    for (const m of between) expect(m.text).not.toMatch(/went wrong/i)
    return world.ollama
      .requestsTo('/api/chat')
      .slice(chats)
      .map((r) => lastUserText(r.body as DoubleChatRequest))
      .filter((t) => t !== 'real question')
  }

  it('answers a whitespace-only message without asking the model', async () => {
    expect(await sendThenNormal(801_002, ' \t \n ')).toEqual([])
  })

  it('answers a zero-width-only message without asking the model', async () => {
    expect(await sendThenNormal(801_005, '\u200b\u200c\u200d\u2060')).toEqual([])
  })

  it('passes right-to-left, zero-width and combining text through unchanged', async () => {
    const text = 'مرحبا \u202Eabc\u202C zero\u200bwidth e\u0301 👩🏽‍💻'
    const answer = await world.telegramSay(801_003, text, complete)
    expect(answer.at(-1)).toBe(`Echo: ${text} END`)
  })

  it('shows HTML and Markdown injection as text on Telegram', async () => {
    const text =
      '<b>bold</b> <script>alert(1)</script> &amp; <a href="javascript:x">y</a> **z** [l](javascript:alert(1)) `open'
    const answer = await world.telegramSay(801_004, text, complete)
    const final = answer.at(-1) ?? ''
    expect(final).toContain('<script>alert(1)</script>')
    expect(final).toContain('<b>bold</b>')
    const message = world.telegram.botMessages(801_004).at(-1)
    // No entity was created from the person's markup.
    expect((message?.entities ?? []).filter((e) => e.type === 'text_link')).toEqual([])
    const failed = world.telegram.calls.filter(
      (c) => c.error && Number(c.body.chat_id) === 801_004 && /parse entities/.test(c.error),
    )
    expect(failed).toEqual([])
  })

  it('does not ping @everyone or @here when the model writes them on Discord', async () => {
    world.ollama.set({ reply: () => '@everyone @here <@&1000000000000000100> look at this END' })
    try {
      world.discord.injectMessage({
        channelId: world.discord.channels.general,
        author: world.discord.users.alice,
        content: 'say hi to everyone',
        mentionBot: true,
      })
      const reply = await world.discord.waitFor(
        () =>
          world.discord
            .channelMessages(world.discord.channels.general)
            .find((m) => m.authorId !== world.discord.users.alice.id && m.content.includes('END')),
        30_000,
      )
      const allowed = reply.allowedMentions as { parse?: string[] } | undefined
      expect(allowed).toBeDefined()
      expect(allowed?.parse ?? []).not.toContain('everyone')
      expect(allowed?.parse ?? []).not.toContain('roles')
    } finally {
      world.ollama.set({ reply: (r) => `Echo: ${lastUserText(r)} END` })
    }
  })
})

/** 'closed' when fetch failed because the server closed the socket mid-upload; rethrows otherwise. */
function closedByServer(error: unknown): 'closed' {
  const cause = (error as { cause?: { code?: string } }).cause
  const code = cause?.code ?? ''
  if (['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code)) return 'closed'
  throw error
}

describe('bad webhook bodies', () => {
  it('rejects malformed, unsigned, wrongly signed and oversized Stripe webhooks without changing state', async () => {
    const before = stateCounts()
    const post = (body: string | Buffer, headers: Record<string, string>) =>
      fetch(`${world.url}/webhooks/stripe`, { method: 'POST', headers, body })
    const event = world.stripe.event('customer.subscription.deleted', {
      id: 'sub_forged',
      object: 'subscription',
      customer: 'cus_forged',
      status: 'canceled',
      metadata: { account_id: 'someone' },
    })
    const good = signEvent(event, STRIPE_WEBHOOK_SECRET)
    const wrong = signEvent(event, 'whsec_not_the_secret')
    const json = { 'content-type': 'application/json' }
    const signed = { ...json, 'stripe-signature': good.signature }
    const cases: [string, string | Buffer, Record<string, string>][] = [
      ['not JSON', '{"id": "evt_1", ', signed],
      ['no signature', good.payload, json],
      ['wrong secret', good.payload, { ...json, 'stripe-signature': wrong.signature }],
      ['garbage signature', good.payload, { ...json, 'stripe-signature': 't=abc,v1=zz' }],
      ['tampered body', good.payload.replace('canceled', 'active'), signed],
      [
        'form body',
        'a=1&b=2',
        { 'content-type': 'application/x-www-form-urlencoded', 'stripe-signature': good.signature },
      ],
      ['empty body', '', signed],
      ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x7b]), signed],
    ]
    // One at a time: each request is started and settled before the next, so no rejection
    // can escape unobserved while an earlier one is awaited.
    for (const [name, body, headers] of cases) {
      const res = await post(body, headers)
      expect(res.status, name).toBeGreaterThanOrEqual(400)
      expect(res.status, name).toBeLessThan(500)
      await res.arrayBuffer()
    }
    // The server answers 413 for a body over its limit without reading it and closes the
    // connection; a client still uploading then sees the socket closed instead of the answer.
    // Either is a refusal; what matters is that nothing changed and the server stays up.
    const oversized = await post(Buffer.alloc(5 * 1024 * 1024, 'a'), signed).then(
      async (res) => {
        await res.arrayBuffer()
        return res.status
      },
      (error: unknown) => closedByServer(error),
    )
    expect(oversized).toSatisfy((r: number | string) => r === 413 || r === 'closed')
    expect(stateCounts()).toEqual(before)
    expect((await world.health()).status).toBe(200)
  })
})

describe('malformed persona cards dropped in while running', () => {
  it('skips them with a log line and keeps serving the good personas', async () => {
    const dir = world.env.PERSONAS_DIR as string
    writeFileSync(join(dir, 'broken.json'), '{"spec": "chara_card_v2", "data": {"name": ')
    writeFileSync(join(dir, 'nonsense.yaml'), 'name: [unclosed\n  - : : :\n\t\tbad')
    writeFileSync(join(dir, 'empty.yaml'), '')
    writeFileSync(join(dir, 'fake.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really a png at all'))
    writeFileSync(
      join(dir, 'huge.json'),
      `{"spec": "chara_card_v2", "data": ${'['.repeat(100_000)}`,
    )
    writeFileSync(
      join(dir, 'zz-good-new.yaml'),
      'name: Tess Newcomer\ndescription: A friendly test persona added while the platform runs.\n',
    )
    // The watcher reloads the folder; ask until the new persona shows up (lists may span messages).
    const list = await (async () => {
      const deadline = Date.now() + 30_000
      for (;;) {
        const before = world.telegram.botMessages(801_010).length
        await world.telegramSay(801_010, '/personas')
        const listed = await world.telegram
          .until(() => {
            const text = world.telegram
              .botMessages(801_010)
              .slice(before)
              .map((m) => m.text)
              .join('\n')
            return text.includes('Tess Newcomer') ? text : undefined
          }, 2_000)
          .catch(() => undefined)
        if (listed) return listed
        if (Date.now() > deadline) throw new Error('the new persona was never listed')
      }
    })()
    for (const file of ['broken.json', 'nonsense.yaml', 'fake.png', 'huge.json']) {
      await world.platform.waitForLog(
        (l) => l.level === 40 && l.file === file && String(l.msg).startsWith('persona skipped'),
      )
    }
    for (const name of ['Mara Quill', 'Ilse Varga', 'Rook Mallory', 'Tess Newcomer']) {
      expect(list).toContain(name)
    }
    expect(world.platform.child.exitCode).toBeNull()
    const answer = await world.telegramSay(801_010, 'still talking?', complete)
    expect(answer.at(-1)).toBe('Echo: still talking? END')
  })
})

describe('random and mutated requests against every HTTP route', () => {
  it('refuses a personal link whose signature carries extra characters', async () => {
    await world.telegramSay(801_030, '/subscribe')
    const link = world.telegramLinks(801_030).at(-1) ?? ''
    const res = await fetch(link.replace(/\.(?=[^.]*$)/, '..'), { redirect: 'manual' })
    await res.arrayBuffer()
    expect(res.status).toBe(400)
  })

  it('answers 3,000 of them without a crash, a 5xx or a change of state', async () => {
    // A real personal link to mutate.
    await world.telegramSay(801_020, '/subscribe')
    const link = world.telegramLinks(801_020).at(-1) ?? ''
    expect(link).toContain('/subscribe/')
    const before = stateCounts()
    const sessions = world.stripe.sessions.size

    const requests = fuzzRequests({
      count: 3_000,
      seed: 9,
      subscribeLink: link,
      baseUrl: world.url,
    })
    const results: FuzzResult[] = await runFuzz(requests, { baseUrl: world.url, concurrency: 16 })

    const serverErrors = results.filter(
      (r) => r.status >= 500 && !(r.path === '/health' && r.status === 503),
    )
    expect(serverErrors.slice(0, 5)).toEqual([])
    const failed = results.filter((r) => r.status === 0)
    expect(failed.slice(0, 5)).toEqual([])
    expect(results).toHaveLength(3_000)
    expect(world.platform.child.exitCode).toBeNull()
    expect((await world.health()).status).toBe(200)
    expect(stateCounts()).toEqual(before)
    // Mutated links never reached Stripe.
    expect(results.filter((r) => r.status === 303)).toEqual([])
    expect(world.stripe.sessions.size).toBe(sessions)
    const answer = await world.telegramSay(801_021, 'after the fuzz', complete)
    expect(answer.at(-1)).toBe('Echo: after the fuzz END')
  }, 180_000)
})

describe('hostile persona cards dropped in while running (#19)', () => {
  it('refuses a PNG bomb, runs catastrophic lore regexes in linear time, and keeps answering', async () => {
    const dir = world.env.PERSONAS_DIR as string
    const trap = hostileRegexCard('Regex Trap') as {
      data: { character_book: { entries: Record<string, unknown>[] } }
    }
    trap.data.character_book.entries.push({
      keys: ['dragon(?!fly)'],
      content: 'needs lookahead',
      extensions: {},
      enabled: true,
      insertion_order: 9,
      use_regex: true,
      name: 'lookahead',
    })
    // 1 MB on disk, 1 GiB once inflated.
    writeFileSync(join(dir, 'bomb.png'), pngBomb(1024))
    writeFileSync(join(dir, 'regex-trap.json'), JSON.stringify(trap))
    await world.platform.waitForLog(
      (l) =>
        l.level === 40 &&
        l.file === 'bomb.png' &&
        /persona skipped.*decompression bomb/.test(String(l.msg)),
    )
    await world.platform.waitForLog(
      (l) => l.file === 'regex-trap.json' && l.entry === 'lookahead' && l.level === 40,
    )

    const user = 801_040
    const chosen = await (async () => {
      const deadline = Date.now() + 30_000
      for (;;) {
        const answer = (await world.telegramSay(user, '/persona regex-trap')).join('\n')
        if (answer.includes('Regex Trap now answers')) return answer
        if (Date.now() > deadline) throw new Error(`Regex Trap was never loaded: ${answer}`)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    })()
    expect(chosen).toContain('Regex Trap now answers')

    // ~4,000 characters that make a backtracking engine run for longer than the test suite.
    const chats = world.ollama.requestsTo('/api/chat').length
    const hostile = adversarialInput(3_900)
    const other = world.telegramSay(801_041, 'meanwhile, hello', complete)
    const answer = await world.telegramSay(user, hostile, complete)
    expect(answer.at(-1)).toBe(`Echo: ${hostile} END`)
    expect((await other).at(-1)).toBe('Echo: meanwhile, hello END')
    // The lore regexes really ran: a key that matches brings its entry into the prompt.
    await world.telegramSay(user, '12345', complete)
    const systemOf = (r: { body: unknown }) =>
      (r.body as DoubleChatRequest).messages.find((m) => m.role === 'system')?.content ?? ''
    const sent = world.ollama.requestsTo('/api/chat').slice(chats).map(systemOf)
    expect(sent.at(-1)).toContain('trap 2')
    expect(world.platform.child.exitCode).toBeNull()
    expect((await world.health()).status).toBe(200)
  })
})

describe('made-up commands', () => {
  it('10,000 of them are answered and leave the metric series count unchanged', async () => {
    const users = Array.from({ length: 500 }, (_, i) => 802_000 + i)
    // One made-up command first, so the shared `unknown` series exists before counting.
    await world.telegramSay(users[0] ?? 0, '/not_a_command_warmup')
    // The Ollama host's series appear with its first probe, which may land at any time: count
    // only once it is there, so the comparison is about the commands.
    const before = await waitUntilAsync(
      async () => {
        const series = await appSeries()
        return series.some((l) => l.startsWith('justlayme_llm_host_up')) && series
      },
      30_000,
      'the Ollama host probe',
    )
    const sentBefore = new Map(users.map((u) => [u, world.telegram.botMessages(u).length]))

    for (let i = 0; i < 10_000; i++) {
      const user = users[i % users.length] ?? 0
      world.telegram.injectMessage({ chatId: user, userId: user, text: `/madeup_${i}_x${i * 7}` })
    }
    await world.telegram.until(
      () =>
        users.every((u) => world.telegram.botMessages(u).length - (sentBefore.get(u) ?? 0) >= 20),
      150_000,
    )

    const after = await appSeries()
    const commandSeries = (lines: string[]) =>
      lines.filter((l) => l.startsWith('justlayme_commands_'))
    const names = (lines: string[]) => new Set(lines.map((l) => l.slice(0, l.lastIndexOf(' '))))
    const added = [...names(after)].filter((n) => !names(before).has(n))
    expect(commandSeries(after).length).toBe(commandSeries(before).length)
    expect(added).toEqual([])
    expect(after.join('\n')).not.toContain('madeup_')
    const unknown = after.find((l) => l.includes('command="unknown"'))
    expect(Number(unknown?.split(' ').at(-1))).toBeGreaterThanOrEqual(10_001)
    expect(world.platform.child.exitCode).toBeNull()
  }, 180_000)
})

describe('redaction sweep', () => {
  it('no log line of this run holds a secret or a personal link token', async () => {
    // Hand out fresh links of every kind, including one whose private delivery fails: the
    // logged Telegram error then carries the request with the link button.
    world.telegram.failNext('sendMessage', {
      code: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    })
    world.telegram.injectMessage({ chatId: -100_803, userId: 803_002, text: '/subscribe' })
    await world.platform.waitForLog((l) => l.msg === 'telegram could not answer privately')
    await world.telegramSay(803_001, '/subscribe')
    await world.telegramSay(803_001, '/verify sweep@example.test')
    await world.verificationLink('sweep@example.test')
    const secrets = world.secrets()
    expect(Object.keys(secrets).filter((k) => k.startsWith('link token')).length).toBeGreaterThan(2)
    expect(secrets.LINK_SECRET).toBeTruthy()
    expect(world.allLogLines().length).toBeGreaterThan(10)
    expect(world.leaks()).toEqual([])
  })
})
