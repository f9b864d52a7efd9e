import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../src/core/errors.js'
import {
  collect,
  dm,
  errorCode,
  group,
  type Harness,
  harness,
  lastUser,
  makePersona,
  words,
} from './fixtures.js'

let h: Harness
afterEach(async () => {
  await h.close()
})

async function dmMessages(h: Harness) {
  const identity = await h.stores.accounts.findIdentity('telegram', '42')
  const [conversation] = await h.stores.conversations.listByScope(`account:${identity?.accountId}`)
  return conversation ? h.stores.conversations.recent(conversation.id, 100) : []
}

describe('reply', () => {
  it('streams accepted, started, deltas and done, and stores greeting, message and answer', async () => {
    h = await harness()
    const events = await collect(h.core.reply(dm('hi there')))
    expect(events.map((e) => e.type)).toEqual([
      'accepted',
      'started',
      'delta',
      'delta',
      'delta',
      'done',
    ])
    const done = events.at(-1)
    expect(done).toMatchObject({ type: 'done', text: 'echo hi there', model: 'llama3.2' })
    const stored = await dmMessages(h)
    expect(stored.map((m) => [m.role, m.content, m.status])).toEqual([
      ['assistant', 'Hello Ann, I am Nova.', 'complete'],
      ['user', 'hi there', 'complete'],
      ['assistant', 'echo hi there', 'complete'],
    ])
    expect(stored[2]?.promptTokens).toBeGreaterThan(0)
    expect(stored[2]?.completionTokens).toBe(3)
  })

  it('always sends num_ctx, capped by the tier', async () => {
    h = await harness()
    h.llm.contextLength = 131072
    await collect(h.core.reply(dm('hi')))
    expect(h.llm.requests[0]?.options?.num_ctx).toBe(4096)
  })

  it('uses the persona num_ctx when it is below the cap', async () => {
    h = await harness({ personas: [makePersona({ id: 'nova', options: { num_ctx: 2048 } })] })
    await collect(h.core.reply(dm('hi')))
    expect(h.llm.requests[0]?.options?.num_ctx).toBe(2048)
  })

  it('refuses empty text in a DM with INVALID_INPUT', async () => {
    h = await harness()
    const events = await collect(h.core.reply(dm(' \u0000\u0007 \n')))
    expect(errorCode(events)).toBe('INVALID_INPUT')
  })

  it('refuses input over MAX_INPUT_CHARS with the length and limit', async () => {
    h = await harness({ options: { maxInputChars: 10 } })
    const events = await collect(h.core.reply(dm('x'.repeat(11))))
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'INPUT_TOO_LONG', params: { length: 11, limit: 10 } },
    })
  })

  it('strips control characters before storing and sending', async () => {
    h = await harness()
    await collect(h.core.reply(dm('he\u0000ll\u001bo\tworld\r\nbye')))
    expect(lastUser(h.llm.requests[0] as never)).toBe('hello\tworld\nbye')
  })

  it('emits nothing in a group when not addressed', async () => {
    h = await harness()
    expect(await collect(h.core.reply(group('hello')))).toEqual([])
  })

  it('answers everything in a group with answer-all on', async () => {
    h = await harness()
    await h.stores.chatSettings.update('telegram:-100', { answerAll: true }, 0)
    expect((await collect(h.core.reply(group('hello')))).at(-1)?.type).toBe('done')
  })

  it('attributes group messages to their speakers', async () => {
    h = await harness()
    await collect(h.core.reply(group('I like tea', { addressed: true })))
    await collect(
      h.core.reply(
        group('I prefer coffee', { addressed: true, platformUserId: '7', displayName: 'Bob' }),
      ),
    )
    const sent = h.llm.requests[1]?.messages.map((m) => m.content) ?? []
    expect(sent).toContain('Ann: I like tea')
    expect(sent).toContain('Bob: I prefer coffee')
  })

  it('shares one DM conversation across linked platforms', async () => {
    h = await harness()
    await collect(h.core.reply(dm('first')))
    const tg = await h.stores.accounts.findIdentity('telegram', '42')
    const { account: other } = await h.stores.accounts.resolveIdentity('discord', '9', 'Ann', 0)
    await h.stores.transaction((s) => s.accounts.merge(other.id, tg?.accountId as string, 0))
    await collect(h.core.reply(dm('second', { platform: 'discord', platformUserId: '9' })))
    const sent = h.llm.requests[1]?.messages.map((m) => m.content) ?? []
    expect(sent).toContain('first')
    expect(sent).toContain('second')
  })

  it('maps model failures to an error event and stores the reply as failed', async () => {
    h = await harness()
    h.llm.script = async function* () {
      yield* []
      throw new AppError('LLM_UNAVAILABLE', 'down', { model: 'llama3.2' })
    }
    const events = await collect(h.core.reply(dm('hi')))
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'LLM_UNAVAILABLE' } })
    expect(events.at(-1)).not.toHaveProperty('error.params.midReply')
    const stored = await dmMessages(h)
    expect(stored.at(-1)).toMatchObject({ role: 'assistant', status: 'failed' })
    expect(stored.at(-2)).toMatchObject({ role: 'user', content: 'hi' })
  })

  it('keeps what streamed as partial when the stream fails mid-way', async () => {
    h = await harness()
    h.llm.script = async function* (req) {
      yield { type: 'started', model: req.model, host: 'x' }
      yield { type: 'delta', text: 'half an ' }
      throw new AppError('LLM_TIMEOUT', 'idle')
    }
    const events = await collect(h.core.reply(dm('hi')))
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'LLM_TIMEOUT', params: { midReply: 1 } },
      partialText: 'half an ',
    })
    expect((await dmMessages(h)).at(-1)).toMatchObject({ content: 'half an ', status: 'partial' })
  })

  it('cancels when the signal aborts and keeps the partial reply', async () => {
    h = await harness()
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    h.llm.script = (req) => words('one two three', req, { gate })
    const controller = new AbortController()
    const events: string[] = []
    for await (const e of h.core.reply(dm('hi'), controller.signal)) {
      events.push(e.type)
      if (e.type === 'delta') controller.abort()
    }
    release()
    expect(events.at(-1)).toBe('error')
    expect((await dmMessages(h)).at(-1)).toMatchObject({ content: 'one ', status: 'partial' })
  })

  it('does not start a greeting twice', async () => {
    h = await harness()
    await collect(h.core.reply(dm('a')))
    await collect(h.core.reply(dm('b')))
    const greetings = (await dmMessages(h)).filter((m) => m.content.startsWith('Hello'))
    expect(greetings).toHaveLength(1)
  })

  it('writes the partial reply on the first token and refreshes it at most every second', async () => {
    h = await harness()
    const seen: (string | undefined)[] = []
    const snapshot = async () => seen.push((await dmMessages(h)).at(-1)?.content)
    h.llm.script = async function* (req) {
      yield { type: 'started', model: req.model, host: 'x' }
      yield { type: 'delta', text: 'a ' }
      await snapshot()
      yield { type: 'delta', text: 'b ' }
      await snapshot()
      h.clock.now += 1_100
      yield { type: 'delta', text: 'c ' }
      await snapshot()
      yield {
        type: 'done',
        text: 'a b c ',
        model: req.model,
        host: 'x',
        fallbackUsed: false,
        promptTokens: 10,
        completionTokens: 3,
        totalDurationMs: 1,
        tokensPerSecond: 1,
        cached: false,
      }
    }
    await collect(h.core.reply(dm('hi')))
    expect(seen).toEqual(['a ', 'a ', 'a b c '])
    expect((await dmMessages(h)).at(-1)).toMatchObject({ content: 'a b c ', status: 'complete' })
  })
})
