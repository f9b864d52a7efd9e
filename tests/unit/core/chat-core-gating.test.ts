import { afterEach, describe, expect, it } from 'vitest'
import type { ReplyEvent } from '../../../src/core/types.js'
import {
  collect,
  dm,
  errorCode,
  group,
  type Harness,
  harness,
  makePersona,
  words,
} from './fixtures.js'

let h: Harness
afterEach(async () => {
  await h.close()
})

const accountOf = async (h: Harness, platform: 'telegram' | 'console' = 'telegram', id = '42') =>
  (await h.stores.accounts.findIdentity(platform, id))?.accountId as string

describe('quotas', () => {
  it('refuses over the daily quota with the time to reset, and resets at UTC midnight', async () => {
    h = await harness({ options: { freeDailyMessages: 2 }, now: Date.UTC(2026, 10, 26, 20, 48) })
    expect(errorCode(await collect(h.core.reply(dm('1'))))).toBeUndefined()
    expect(errorCode(await collect(h.core.reply(dm('2'))))).toBeUndefined()
    const refused = await collect(h.core.reply(dm('3')))
    expect(refused).toEqual([
      {
        type: 'error',
        error: {
          code: 'QUOTA_EXCEEDED',
          params: { limit: 2, tier: 'free', resetIn: '3 h 12 min', subscribe: 'no' },
        },
      },
    ])
    h.clock.now = Date.UTC(2026, 10, 27, 0, 0, 1)
    expect((await collect(h.core.reply(dm('4')))).at(-1)?.type).toBe('done')
  })

  it('gives premium accounts the premium quota', async () => {
    h = await harness({ options: { freeDailyMessages: 0, premiumDailyMessages: 1 } })
    expect(errorCode(await collect(h.core.reply(dm('hi'))))).toBe('QUOTA_EXCEEDED')
    h.entitlements.tiers.set(await accountOf(h), 'premium')
    expect((await collect(h.core.reply(dm('hi')))).at(-1)?.type).toBe('done')
    expect(await collect(h.core.reply(dm('hi')))).toMatchObject([
      { error: { code: 'QUOTA_EXCEEDED', params: { tier: 'premium', limit: 1 } } },
    ])
  })

  it('never limits admins', async () => {
    h = await harness({ options: { freeDailyMessages: 0 } })
    const admin = { platform: 'console' as const, platformUserId: 'root' }
    for (let i = 0; i < 3; i++) {
      expect((await collect(h.core.reply(dm('hi', admin)))).at(-1)?.type).toBe('done')
    }
  })

  it('counts messages and tokens per account per UTC day', async () => {
    h = await harness()
    h.llm.script = (req) => words('ok', req, { promptTokens: 100 })
    await collect(h.core.reply(dm('a')))
    await collect(h.core.reply(dm('b')))
    const usage = await h.stores.usage.get(await accountOf(h), '2026-11-26')
    expect(usage.messages).toBe(2)
    expect(usage.promptTokens).toBe(200)
    expect(usage.completionTokens).toBeGreaterThan(0)
  })
})

describe('persona gating', () => {
  const personas = [
    makePersona({ id: 'plain' }),
    makePersona({ id: 'spicy', nsfw: true }),
    makePersona({ id: 'gold', tier: 'premium' }),
  ]

  it('refuses an adult persona where adult content is not allowed, saying where it works', async () => {
    h = await harness({ personas })
    const acc = await h.stores.accounts.resolveIdentity('telegram', '42', 'Ann', 0)
    await h.stores.chatSettings.update(`account:${acc.account.id}`, { personaId: 'spicy' }, 0)
    const events = await collect(h.core.reply(dm('hi')))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      type: 'error',
      error: { code: 'ADULT_NOT_ALLOWED', params: { persona: 'Spicy' } },
    })
    const first = events[0]
    expect(first?.type === 'error' ? String(first.error.params.where) : '').toMatch(
      /age-restricted/,
    )
    expect(h.llm.requests).toHaveLength(0)
  })

  it('answers with an adult persona in a DM only after the 18+ confirmation', async () => {
    h = await harness({ personas })
    const acc = await h.stores.accounts.resolveIdentity('telegram', '42', 'Ann', 0)
    await h.stores.chatSettings.update(`account:${acc.account.id}`, { personaId: 'spicy' }, 0)
    expect(errorCode(await collect(h.core.reply(dm('hi', { adultAllowed: true }))))).toBe(
      'ADULT_NOT_ALLOWED',
    )
    await h.stores.accounts.setAdultConfirmed(acc.account.id, true, 0)
    expect((await collect(h.core.reply(dm('hi', { adultAllowed: true })))).at(-1)?.type).toBe(
      'done',
    )
  })

  it('answers with an adult persona in an age-restricted Discord channel only', async () => {
    h = await harness({ personas })
    const where = { platform: 'discord' as const, chatId: 'g/c', addressed: true }
    await h.stores.chatSettings.update('discord:g/c', { personaId: 'spicy', adultEnabled: true }, 0)
    expect(errorCode(await collect(h.core.reply(group('hi', where))))).toBe('ADULT_NOT_ALLOWED')
    const allowed = await collect(h.core.reply(group('hi', { ...where, adultAllowed: true })))
    expect(allowed.at(-1)?.type).toBe('done')
  })

  it('answers with an adult persona in a Telegram group where an admin enabled it', async () => {
    h = await harness({ personas })
    await h.stores.chatSettings.update('telegram:-100', { personaId: 'spicy' }, 0)
    expect(errorCode(await collect(h.core.reply(group('hi', { addressed: true }))))).toBe(
      'ADULT_NOT_ALLOWED',
    )
    await h.stores.chatSettings.update('telegram:-100', { adultEnabled: true }, 0)
    expect((await collect(h.core.reply(group('hi', { addressed: true })))).at(-1)?.type).toBe(
      'done',
    )
  })

  it('refuses premium personas to free accounts and serves premium ones', async () => {
    h = await harness({ personas })
    const acc = await h.stores.accounts.resolveIdentity('telegram', '42', 'Ann', 0)
    await h.stores.chatSettings.update(`account:${acc.account.id}`, { personaId: 'gold' }, 0)
    expect(await collect(h.core.reply(dm('hi')))).toMatchObject([
      { type: 'error', error: { code: 'PREMIUM_REQUIRED', params: { persona: 'Gold' } } },
    ])
    h.entitlements.tiers.set(acc.account.id, 'premium')
    expect((await collect(h.core.reply(dm('hi')))).at(-1)?.type).toBe('done')
  })

  it('gives premium accounts the larger context cap', async () => {
    h = await harness({ personas })
    h.llm.contextLength = 65536
    const acc = await h.stores.accounts.resolveIdentity('telegram', '42', 'Ann', 0)
    h.entitlements.tiers.set(acc.account.id, 'premium')
    await collect(h.core.reply(dm('hi')))
    expect(h.llm.requests[0]?.options?.num_ctx).toBe(16384)
    expect(h.llm.requests[0]?.tier).toBe('premium')
  })
})

describe('persona choice by scope', () => {
  const personas = [
    makePersona({ id: 'first' }),
    makePersona({ id: 'second' }),
    makePersona({ id: 'third' }),
  ]

  it('defaults to the first persona of the repository', async () => {
    h = await harness({ personas })
    expect((await collect(h.core.reply(dm('hi'))))[0]).toMatchObject({ persona: { id: 'first' } })
  })

  it('uses the chat persona in a group and the Discord server default otherwise', async () => {
    h = await harness({ personas })
    const discord = { platform: 'discord' as const, addressed: true }
    await h.stores.chatSettings.update('discord-guild:g1', { personaId: 'third' }, 0)
    const fromServer = await collect(h.core.reply(group('hi', { ...discord, chatId: 'g1/c1' })))
    expect(fromServer[0]).toMatchObject({ persona: { id: 'third' } })
    await h.stores.chatSettings.update('discord:g1/c2', { personaId: 'second' }, 0)
    const fromChannel = await collect(h.core.reply(group('hi', { ...discord, chatId: 'g1/c2' })))
    expect(fromChannel[0]).toMatchObject({ persona: { id: 'second' } })
  })
})

describe('single flight per account', () => {
  it('makes a second message wait for the first, then answers it', async () => {
    h = await harness()
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    let calls = 0
    h.llm.script = (req) =>
      calls++ === 0 ? words('first reply', req, { gate }) : words('second reply', req)
    const firstEvents: string[] = []
    const first = (async () => {
      for await (const e of h.core.reply(dm('one'))) firstEvents.push(e.type)
    })()
    await waitFor(() => firstEvents.includes('delta'))
    const secondEvents: ReplyEvent[] = []
    const second = (async () => {
      for await (const e of h.core.reply(dm('two'))) secondEvents.push(e)
    })()
    await waitFor(() => secondEvents.some((e) => e.type === 'queued'))
    expect(h.llm.requests).toHaveLength(1)
    release()
    await first
    await second
    expect(secondEvents.map((e) => e.type)).toContain('queued')
    expect(secondEvents.at(-1)).toMatchObject({ type: 'done', text: 'second reply' })
    expect(h.llm.requests[1]?.messages.map((m) => m.content)).toContain('first reply')
  })

  it('stop cancels the running reply and the waiting one', async () => {
    h = await harness()
    const gate = new Promise<void>(() => {})
    h.llm.script = (req) => words('never ending', req, { gate })
    const firstEvents: string[] = []
    const first = collect(h.core.reply(dm('one')))
    const watch = (async () => {
      for await (const e of h.core.reply(dm('two')))
        firstEvents.push(e.type === 'error' ? e.error.code : e.type)
    })()
    await waitFor(() => h.llm.requests.length === 1)
    await waitFor(() => firstEvents.includes('queued'))
    expect(await h.core.stop('telegram', '42')).toBe(true)
    expect(errorCode(await first)).toBe('CANCELLED')
    await watch
    expect(firstEvents.at(-1)).toBe('CANCELLED')
    expect(await h.core.stop('telegram', '42')).toBe(false)
    expect(await h.core.stop('telegram', 'nobody')).toBe(false)
  })

  it('close waits for replies in flight and then refuses new ones', async () => {
    h = await harness()
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    h.llm.script = (req) => words('slow reply', req, { gate })
    const events: string[] = []
    const running = (async () => {
      for await (const e of h.core.reply(dm('one'))) events.push(e.type)
    })()
    await waitFor(() => events.includes('delta'))
    const closing = h.core.close(60_000)
    release()
    await closing
    await running
    expect(events.at(-1)).toBe('done')
    expect(errorCode(await collect(h.core.reply(dm('late'))))).toBe('CANCELLED')
  })

  it('close cancels replies still running after the grace period and keeps them partial', async () => {
    h = await harness()
    h.llm.script = (req) => words('stuck reply', req, { gate: new Promise(() => {}) })
    const events: string[] = []
    const running = (async () => {
      for await (const e of h.core.reply(dm('one'))) events.push(e.type)
    })()
    await waitFor(() => events.includes('delta'))
    await h.core.close(0)
    await running
    expect(events.at(-1)).toBe('error')
    const acc = await accountOf(h)
    const [conv] = await h.stores.conversations.listByScope(`account:${acc}`)
    const last = (await h.stores.conversations.recent(conv?.id as string, 1))[0]
    expect(last).toMatchObject({ content: 'stuck ', status: 'partial' })
  })
})

describe('context limits', () => {
  it('refuses with CONTEXT_TOO_LARGE instead of sending a truncated prompt', async () => {
    h = await harness({
      personas: [
        makePersona({ id: 'huge', description: 'x'.repeat(20_000), options: { num_ctx: 1024 } }),
      ],
    })
    const events = await collect(h.core.reply(dm('hi')))
    expect(errorCode(events)).toBe('CONTEXT_TOO_LARGE')
    expect(h.llm.requests).toHaveLength(0)
  })

  it('calibrates the token estimate from the prompt tokens Ollama reports', async () => {
    h = await harness({ personas: [makePersona({ id: 'p', options: { num_ctx: 1024 } })] })
    // Claim a dense (but plausible) tokenizer: 1.6 chars per token; the next prompt must then
    // keep far fewer turns than the default 3.5 would allow (about 3,500 characters).
    h.llm.script = (req) => {
      const chars = req.messages.reduce((n, m) => n + m.content.length, 0)
      return words('ok', req, { promptTokens: Math.ceil(chars / 1.6) + req.messages.length * 4 })
    }
    for (let i = 0; i < 12; i++)
      await collect(h.core.reply(dm(`message number ${i} ${'z'.repeat(80)}`)))
    const last = h.llm.requests.at(-1)
    const sentChars = last?.messages.reduce((n, m) => n + m.content.length, 0) ?? 0
    expect(sentChars).toBeLessThan(1024 * 1.6)
  })
})

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setImmediate(r))
  }
}
