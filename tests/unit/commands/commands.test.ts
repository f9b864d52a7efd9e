import { afterEach, describe, expect, it } from 'vitest'
import type { CommandInvocation } from '../../../src/core/chat-core.js'
import { startTestReplica } from '../../helpers/coordination.js'
import {
  collect,
  DM_CALLER,
  dm,
  FakeBilling,
  FakeVerification,
  type Harness,
  harness,
  makePersona,
  recordingIo,
  words,
} from '../core/fixtures.js'

let h: Harness
afterEach(async () => {
  await h.close()
})

const me = DM_CALLER
const admin = { ...me, platform: 'console' as const, platformUserId: 'root', chatId: 'root' }
const inGroup = { ...me, chatId: '-100', chatKind: 'group' as const }

async function run(name: string, text = '', who: Omit<CommandInvocation, 'name' | 'args'> = me) {
  const io = recordingIo()
  await h.core.runCommand({ ...who, name, args: h.core.parseArgs(name, text) }, io)
  return io
}
const textOf = async (name: string, text = '', who = me) =>
  (await run(name, text, who)).replies[0]?.text ?? ''

const personas = [
  makePersona({ id: 'nova', name: 'Nova' }),
  makePersona({ id: 'sage', name: 'Sage' }),
  makePersona({ id: 'spicy', name: 'Spicy', nsfw: true }),
  makePersona({ id: 'gold', name: 'Gold', tier: 'premium' }),
]

describe('command dispatch', () => {
  it('answers unknown commands instead of throwing', async () => {
    h = await harness()
    expect(await textOf('nope')).toMatch(/don't know the command \/nope/)
  })

  it('splits arguments into options, the last one taking the rest', async () => {
    h = await harness()
    expect(h.core.parseArgs('admin', 'grant telegram:1 30')).toEqual({
      action: 'grant',
      user: 'telegram:1',
      days: '30',
    })
    expect(h.core.parseArgs('persona', 'export  Mara Quill ')).toEqual({
      name: 'export  Mara Quill',
    })
    expect(h.core.parseArgs('help', 'whatever')).toEqual({})
  })

  it('describes every command with a valid name for Telegram and Discord', async () => {
    h = await harness()
    expect(h.core.commands.length).toBeGreaterThanOrEqual(16)
    expect(h.core.commands.find((c) => c.name === 'regenerate')?.slow).toBe(true)
    expect(h.core.commands.find((c) => c.name === 'help')?.slow).toBe(false)
    for (const c of h.core.commands) {
      expect(c.name).toMatch(/^[a-z0-9_]{1,32}$/)
      expect(c.description.length).toBeGreaterThanOrEqual(3)
      expect(c.description.length).toBeLessThanOrEqual(100)
      const required = c.options.map((o) => o.required === true)
      // Discord wants required options before optional ones.
      expect(required).toEqual([...required].sort((a, b) => Number(b) - Number(a)))
      for (const o of c.options) expect(o.name).toMatch(/^[a-z0-9_]{1,32}$/)
    }
  })

  it('reports a failing command to the person and keeps going', async () => {
    h = await harness()
    h.personas.reload = async () => {
      throw new Error('disk gone')
    }
    expect(await textOf('admin', 'reload', admin)).toMatch(/Something went wrong running \/admin/)
  })
})

describe('/help, /personas, /persona', () => {
  it('/help lists everyday commands but hides admin ones from others', async () => {
    h = await harness()
    const text = await textOf('help')
    expect(text).toContain('/persona <name>')
    expect(text).not.toContain('/admin')
    expect(await textOf('help', '', admin)).toContain('/admin')
  })

  it('/personas lists what may be picked here, marking the active one', async () => {
    h = await harness({ personas })
    const io = await run('personas')
    const text = io.replies[0]?.text ?? ''
    expect(text).toContain('▶ Nova (nova)')
    expect(text).toContain('Gold (gold) [premium]')
    expect(text).not.toContain('Spicy')
    expect(io.replies[0]?.actions?.[1]).toEqual({
      label: 'Sage',
      command: 'persona',
      args: { name: 'sage' },
    })
  })

  it('/personas shortens long descriptions at a word boundary with an ellipsis', async () => {
    const long =
      'Varga is the navigator of the Meridian Gull, a patched-up cargo airship that carries mail, medicine and the occasional goat between the floating islands.'
    h = await harness({ personas: [makePersona({ id: 'ilse', name: 'Ilse', description: long })] })
    const text = (await run('personas')).replies[0]?.text ?? ''
    const blurb = /— (.*)$/m.exec(text)?.[1] ?? ''
    expect(blurb.endsWith('…')).toBe(true)
    expect(blurb.length).toBeLessThanOrEqual(90)
    const words = blurb.slice(0, -1).split(' ')
    // Every word shown is a whole word of the description.
    expect(long.startsWith(words.join(' '))).toBe(true)
    expect(long.split(' ')).toContain(words.at(-1)?.replace(/[,.]$/, '') ?? '')
  })

  it('/persona switches the DM persona by name, case-insensitively', async () => {
    h = await harness({ personas })
    expect(await textOf('persona', 'sage')).toMatch(/Sage now answers in your private chats/)
    const events = await collect(h.core.reply(dm('hi')))
    expect(events[0]).toMatchObject({ type: 'accepted', persona: { id: 'sage' } })
  })

  it("/persona shows the new persona's greeting, and says an existing conversation continues", async () => {
    h = await harness({ personas })
    expect(await textOf('persona', 'sage')).toMatch(
      /Sage now answers.*\n\nSage: Hello Ann, I am Sage\./s,
    )
    await collect(h.core.reply(dm('hi sage')))
    await textOf('persona', 'nova')
    expect(await textOf('persona', 'sage')).toMatch(/continues where you left it/)
    const sent = h.llm.requests.at(-1)?.messages.map((m) => m.content) ?? []
    expect(sent.filter((c) => c === 'Hello Ann, I am Sage.')).toHaveLength(1)
  })

  it('/start greets with the active persona once, and stores the greeting as the first message', async () => {
    h = await harness({ personas })
    const first = await textOf('start')
    expect(first).toMatch(/Welcome to JustLayMe!\n\nNova: Hello Ann, I am Nova\./)
    expect(first).toMatch(/Just write to me/)
    expect(await textOf('start')).toMatch(/continues where you left it/)
    await collect(h.core.reply(dm('hi')))
    const sent = h.llm.requests.at(-1)?.messages ?? []
    const greetings = sent.filter(
      (m) => m.role === 'assistant' && m.content === 'Hello Ann, I am Nova.',
    )
    expect(greetings).toHaveLength(1)
  })

  it('/persona explains unknown, adult and premium personas', async () => {
    h = await harness({ personas })
    expect(await textOf('persona', 'zorro')).toMatch(/don't know a persona called "zorro"/)
    expect(await textOf('persona', 'spicy')).toMatch(/adults only/)
    expect(await textOf('persona', 'gold')).toMatch(/premium/)
  })

  it('/persona in a group is for chat admins and sets the chat persona', async () => {
    h = await harness({ personas })
    expect(await textOf('persona', 'sage', inGroup)).toMatch(/Only admins of this chat/)
    expect(await textOf('persona', 'sage', { ...inGroup, isChatAdmin: true })).toMatch(
      /in this chat/,
    )
    expect((await h.stores.chatSettings.get('telegram:-100')).personaId).toBe('sage')
  })

  it('/persona export returns the card JSON as a file', async () => {
    h = await harness({ personas })
    const reply = (await run('persona', 'export sage')).replies[0]
    expect(reply?.file?.name).toBe('sage.json')
    expect(JSON.parse(String(reply?.file?.content ?? '{}'))).toMatchObject({
      spec: 'chara_card_v3',
    })
    expect((await run('persona', 'export')).replies[0]?.file?.name).toBe('nova.json')
  })

  it('autocompletes personas allowed in the place', async () => {
    h = await harness({ personas })
    const where = {
      platform: 'telegram' as const,
      platformUserId: '42',
      chatId: '42',
      adultAllowed: false,
    }
    expect(await h.core.autocomplete('personas', 'o', where)).toEqual([
      { name: 'Nova', value: 'nova' },
      { name: 'Gold (premium)', value: 'gold' },
    ])
    expect(
      (await h.core.autocomplete('personas', '', { ...where, adultAllowed: true })).length,
    ).toBe(4)
  })
})

describe('conversation commands', () => {
  it('/reset clears the conversation and shows the greeting again', async () => {
    h = await harness()
    await collect(h.core.reply(dm('remember the code word banana')))
    expect(await textOf('reset')).toMatch(/reset.*\n\nHello Ann, I am Nova\./s)
    await collect(h.core.reply(dm('what was the word?')))
    const sent =
      h.llm.requests
        .at(-1)
        ?.messages.map((m) => m.content)
        .join('\n') ?? ''
    expect(sent).not.toContain('banana')
  })

  it('/regenerate replaces the last reply with a new one', async () => {
    h = await harness()
    await collect(h.core.reply(dm('tell me a joke')))
    let n = 0
    h.llm.script = async function* (req) {
      n++
      yield { type: 'started', model: req.model, host: 'x' }
      yield { type: 'delta', text: 'a better joke' }
      yield {
        type: 'done',
        text: 'a better joke',
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
    const io = await run('regenerate')
    expect(io.streamed[0]?.at(-1)).toMatchObject({ type: 'done', text: 'a better joke' })
    expect(n).toBe(1)
    expect(h.llm.requests.at(-1)?.messages.map((m) => m.content)).not.toContain(
      'echo tell me a joke',
    )
    const account = await h.stores.accounts.findIdentity('telegram', '42')
    const [conv] = await h.stores.conversations.listByScope(`account:${account?.accountId}`)
    const stored = await h.stores.conversations.recent(conv?.id as string, 10)
    expect(stored.map((m) => m.content)).toEqual([
      'Hello Ann, I am Nova.',
      'tell me a joke',
      'a better joke',
    ])
  })

  it('/regenerate with nothing to answer says so', async () => {
    h = await harness()
    const io = await run('regenerate')
    expect(io.streamed[0]?.at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'INVALID_INPUT' },
    })
  })

  it('/stop says when there is nothing to stop', async () => {
    h = await harness()
    expect(await textOf('stop')).toBe('Nothing to stop.')
  })

  it('/status shows plan, messages left, persona, model and email', async () => {
    h = await harness({ options: { freeDailyMessages: 10 } })
    await collect(h.core.reply(dm('hi')))
    const text = await textOf('status')
    expect(text).toContain('Plan: free')
    expect(text).toMatch(/Messages left today: 9 of 10 \(resets in 12 h\)/)
    expect(text).toContain('Persona: Nova')
    expect(text).toContain('Model: llama3.2')
    expect(text).toContain('Email: not linked')
    expect(await textOf('status', '', admin)).toContain('admin (unlimited)')
  })

  it('/memory says when there is nothing remembered yet', async () => {
    h = await harness()
    expect(await textOf('memory')).toMatch(/no long-term memory/)
  })

  it('/export returns the account data with its conversations as JSON', async () => {
    h = await harness()
    await collect(h.core.reply(dm('my secret hobby is knitting')))
    const reply = (await run('export')).replies[0]
    const data = JSON.parse(String(reply?.file?.content ?? '{}'))
    expect(reply?.ephemeral).toBe(true)
    expect(data.identities).toEqual([
      { platform: 'telegram', platformUserId: '42', displayName: 'Ann' },
    ])
    expect(JSON.stringify(data.conversations)).toContain('my secret hobby is knitting')
  })

  it('/export and /forget cover the person’s group messages, not the other members’', async () => {
    h = await harness()
    const inGroupSays = (text: string, who: string, name: string) =>
      collect(
        h.core.reply(
          dm(text, {
            chatId: '-100',
            chatKind: 'group',
            platformUserId: who,
            displayName: name,
          }),
        ),
      )
    await inGroupSays('ann tells the group about her garden', '42', 'Ann')
    await inGroupSays('bob tells the group about his boat', '77', 'Bob')
    const exported = JSON.parse(String((await run('export')).replies[0]?.file?.content ?? '{}'))
    expect(exported.groupMessages).toEqual([
      expect.objectContaining({
        chat: 'telegram:-100',
        content: 'ann tells the group about her garden',
      }),
    ])
    expect(JSON.stringify(exported)).not.toContain('boat')

    const answer = await textOf('forget', 'yes')
    expect(answer).toMatch(/deleted 2 group messages \(yours and the replies to them\)/)
    const [room] = await h.stores.conversations.listByScope('telegram:-100')
    const left = await h.stores.conversations.recent(room?.id as string, 50)
    expect(left.map((m) => m.content).join('\n')).not.toContain('garden')
    expect(left.map((m) => m.content)).toContain('bob tells the group about his boat')
    const after = JSON.parse(String((await run('export')).replies[0]?.file?.content ?? '{}'))
    expect(after.groupMessages).toEqual([])
  })

  it('/settings adult yes|no records the 18+ confirmation', async () => {
    h = await harness()
    expect((await run('settings')).replies[0]?.actions?.[0]?.args).toEqual({
      setting: 'adult',
      value: 'yes',
    })
    expect(await textOf('settings', 'adult yes')).toMatch(/18 or older/)
    const identity = await h.stores.accounts.findIdentity('telegram', '42')
    expect((await h.stores.accounts.get(identity?.accountId as string))?.adultConfirmed).toBe(true)
    expect(await textOf('settings', 'adult maybe')).toMatch(/Usage/)
  })
})

describe('subsystem commands', () => {
  it('/subscribe, /billing and /verify say they are not enabled without their subsystem', async () => {
    h = await harness()
    expect(await textOf('subscribe')).toBe('Subscriptions are not enabled on this server.')
    expect(await textOf('billing')).toBe('Subscriptions are not enabled on this server.')
    expect(await textOf('verify', 'a@b.co')).toBe(
      'Email verification is not enabled on this server.',
    )
  })

  it('/subscribe and /billing give links from the billing service', async () => {
    h = await harness({ billing: new FakeBilling() })
    const sub = (await run('subscribe')).replies[0]
    expect(sub?.links?.[0]?.url).toMatch(/^http:\/\/localhost\/subscribe\//)
    expect((await run('billing')).replies[0]?.links?.[0]?.label).toBe('Billing')
  })

  it('/verify starts verification and explains bad addresses', async () => {
    h = await harness({ verification: new FakeVerification() })
    expect(await textOf('verify', 'ann@example.com')).toMatch(/sent a link to ann@example.com/)
    expect(await textOf('verify', 'nonsense')).toMatch(/doesn't look like an email/)
    expect(await textOf('verify')).toMatch(/Usage/)
  })
})

describe('/channel', () => {
  it('is for chat admins and only in groups', async () => {
    h = await harness({ personas })
    expect(await textOf('channel', '', inGroup)).toMatch(/admins of this chat only/)
    expect(await textOf('channel', '', { ...me, isChatAdmin: true })).toMatch(/changes a group/)
  })

  it('sets persona, answer-all, adult and allowed personas for the chat', async () => {
    h = await harness({ personas })
    const chatAdmin = { ...inGroup, isChatAdmin: true }
    expect(await textOf('channel', 'persona spicy', chatAdmin)).toMatch(/adults only/)
    expect(await textOf('channel', 'persona sage', chatAdmin)).toContain('Persona here: sage')
    expect(await textOf('channel', 'answer_all on', chatAdmin)).toContain(
      'Answer every message: on',
    )
    await run('settings', 'adult yes', chatAdmin)
    expect(await textOf('channel', 'adult on', chatAdmin)).toContain('Adult content: on')
    expect(await textOf('channel', 'allowed nova, sage', chatAdmin)).toContain(
      'Allowed personas: nova, sage',
    )
    expect(await textOf('channel', 'allowed zorro', chatAdmin)).toMatch(/Unknown persona: zorro/)
    expect(await h.stores.chatSettings.get('telegram:-100')).toEqual({
      personaId: 'sage',
      answerAll: true,
      adultEnabled: true,
      allowedPersonas: ['nova', 'sage'],
    })
    expect(await textOf('persona', 'gold', chatAdmin)).toMatch(/not allowed in this chat/)
  })

  it('sets a Discord server default persona', async () => {
    h = await harness({ personas })
    const discordAdmin = {
      ...inGroup,
      platform: 'discord' as const,
      chatId: 'g1/c1',
      isChatAdmin: true,
    }
    expect(await textOf('channel', 'server_persona sage', discordAdmin)).toMatch(
      /Server default persona: sage/,
    )
    expect((await h.stores.chatSettings.get('discord-guild:g1')).personaId).toBe('sage')
    expect(
      await textOf('channel', 'server_persona sage', { ...inGroup, isChatAdmin: true }),
    ).toMatch(/only works in a Discord server/)
  })

  it('limits personas on a whole Discord server, unless a channel has its own list', async () => {
    h = await harness({ personas })
    const admin1 = { ...inGroup, platform: 'discord' as const, chatId: 'g1/c1', isChatAdmin: true }
    const admin2 = { ...admin1, chatId: 'g1/c2' }
    expect(await textOf('channel', 'server_allowed nova', admin1)).toMatch(
      /allowed on this server: nova/,
    )
    expect(await textOf('persona', 'sage', admin2)).toMatch(/not allowed in this chat/)
    const where = {
      platform: 'discord' as const,
      platformUserId: '42',
      chatId: 'g1/c2',
      adultAllowed: false,
    }
    expect((await h.core.autocomplete('personas', '', where)).map((c) => c.value)).toEqual(['nova'])
    await textOf('channel', 'allowed sage,nova', admin2)
    expect(await textOf('persona', 'sage', admin2)).toMatch(/Sage now answers in this chat/)
    expect(
      await textOf('channel', 'server_allowed sage', { ...inGroup, isChatAdmin: true }),
    ).toMatch(/only works in a Discord server/)
  })
})

describe('/admin', () => {
  it('is refused to non-admins', async () => {
    h = await harness()
    expect(await textOf('admin', 'stats')).toMatch(/bot admins only/)
  })

  it('shows stats', async () => {
    h = await harness()
    await collect(h.core.reply(dm('hi')))
    h.llm.hosts = [
      {
        host: 'http://gpu:11434',
        status: 'up',
        detail: 'ollama 0.12.0; concurrency 4 (auto)',
        concurrency: { limit: 4, mode: 'auto' },
      },
    ]
    const text = await textOf('admin', 'stats', admin)
    expect(text).toMatch(/Accounts: 2/)
    expect(text).toMatch(/Personas loaded: 2/)
    expect(text).toMatch(/Ollama http:\/\/gpu:11434: up, 4 at once \(auto\)/)
  })

  it('lists the live processes and what each owns', async () => {
    const replica = await startTestReplica()
    try {
      await replica.membership.tryAcquire('telegram:poller')
      await replica.membership.beat()
      h = await harness({ replicas: replica.membership })
      const text = await textOf('admin', 'stats', admin)
      expect(text).toMatch(/Processes: 1/)
      expect(text).toContain(`pid ${process.pid} (vtest, up since `)
      expect(text).toMatch(/: telegram:poller$/m)
    } finally {
      await replica.close()
    }
  })

  it('grants premium by platform:id or account id', async () => {
    h = await harness()
    await collect(h.core.reply(dm('hi')))
    expect(await textOf('admin', 'grant telegram:42 30', admin)).toMatch(
      /Granted 30 days of premium to telegram:42: until 2026-12-26/,
    )
    const identity = await h.stores.accounts.findIdentity('telegram', '42')
    expect(h.grants.calls).toEqual([{ accountId: identity?.accountId, days: 30 }])
    expect(await textOf('admin', `grant ${identity?.accountId} 1`, admin)).toMatch(/Granted 1 day/)
    expect(await textOf('admin', 'grant telegram:999 3', admin)).toMatch(/No account found/)
    expect(await textOf('admin', 'grant telegram:42 zero', admin)).toMatch(/Usage/)
  })

  it('refunds through billing, or says billing is not enabled', async () => {
    h = await harness()
    await collect(h.core.reply(dm('hi')))
    expect(await textOf('admin', 'refund telegram:42', admin)).toBe(
      'Subscriptions are not enabled on this server.',
    )
    await h.close()
    h = await harness({ billing: new FakeBilling() })
    await collect(h.core.reply(dm('hi')))
    expect(await textOf('admin', 'refund telegram:42', admin)).toBe(
      'Refunded 9.99 EUR to telegram:42.',
    )
  })

  it('reloads personas and lists skipped files', async () => {
    h = await harness()
    const text = await textOf('admin', 'reload', admin)
    expect(text).toMatch(/Reloaded 2 personas/)
    expect(text).toContain('Skipped broken.json: data.name missing')
  })
})

describe('/regenerate edge cases', () => {
  it('keeps the greeting when there is nothing to regenerate', async () => {
    h = await harness()
    await run('reset')
    const io = await run('regenerate')
    expect(io.streamed[0]?.at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'INVALID_INPUT' },
    })
    expect(await textOf('reset')).toContain('Hello Ann, I am Nova.')
    const account = await h.stores.accounts.findIdentity('telegram', '42')
    const [conv] = await h.stores.conversations.listByScope(`account:${account?.accountId}`)
    const stored = await h.stores.conversations.recent(conv?.id as string, 10)
    expect(stored.map((m) => m.content)).toEqual(['Hello Ann, I am Nova.'])
  })

  it('answers a last message whose reply failed', async () => {
    h = await harness()
    h.llm.script = async function* () {
      yield* []
      throw new Error('boom')
    }
    await collect(h.core.reply(dm('are you there?')))
    h.llm.script = (req) => words('yes', req)
    const io = await run('regenerate')
    expect(io.streamed[0]?.at(-1)).toMatchObject({ type: 'done', text: 'yes' })
  })
})

describe('without personas', () => {
  it('says no personas are loaded instead of failing obscurely', async () => {
    h = await harness({ personas: [] })
    expect(await textOf('status')).toMatch(/No personas are loaded/)
    const events = await collect(h.core.reply(dm('hi')))
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'PERSONA_NOT_FOUND' } })
  })
})
