import { afterEach, describe, expect, it } from 'vitest'
import type { DoubleMessage } from '../../../doubles/telegram-double.js'
import { type Stack, startStack } from './harness.js'

const USER = 1001
const GROUP = -100500

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

/** The chat's bot messages once the last of them show `texts` (every edit is formatted now). */
const settled =
  (s: Stack, chatId: number, ...texts: string[]) =>
  () => {
    const messages = s.telegram.botMessages(chatId)
    const shown = messages.slice(-texts.length).map((m) => m.text)
    return messages.length >= texts.length && shown.join('\u0000') === texts.join('\u0000')
      ? messages
      : undefined
  }

const chatRequests = (s: Stack) => s.ollama.requestsTo('/api/chat')
const lastUserText = (s: Stack) => {
  const body = chatRequests(s).at(-1)?.body as { messages: { role: string; content: string }[] }
  return body.messages.filter((m) => m.role === 'user').at(-1)?.content
}

describe('Telegram bot (real grammY, real core, Bot API and Ollama doubles)', () => {
  it('streams a private reply into a placeholder and formats it when complete', async () => {
    stack = await startStack()
    const s = stack
    s.ollama.set({
      reply: () => 'Hello **there**, I am `here` and x < y & z.'.split(/(?<= )/),
      tokenIntervalMs: 60,
    })
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: 'hi' })
    const [reply] = (await s.telegram.until(
      settled(s, USER, 'Hello there, I am here and x < y & z.'),
    )) as DoubleMessage[]

    expect(reply?.text).toBe('Hello there, I am here and x < y & z.')
    expect(reply?.entities.map((e) => e.type)).toEqual(['bold', 'code'])
    expect(s.telegram.callsOf('sendMessage')[0]?.body.text).toMatch(/typing/)
    expect(s.telegram.callsOf('editMessageText').length).toBeGreaterThan(1)
    expect(s.telegram.callsOf('sendChatAction')[0]?.body.action).toBe('typing')
    expect(s.telegram.commands.get('all_private_chats')?.map((c) => c.command)).toContain('persona')
    expect(s.telegram.commands.get('all_group_chats')?.length).toBeGreaterThan(0)
  })

  it('ignores a group message without a mention and answers the one that mentions it', async () => {
    stack = await startStack()
    const s = stack
    s.ollama.set({ reply: () => 'Group answer.' })
    s.telegram.injectMessage({
      chatId: GROUP,
      chatType: 'supergroup',
      userId: USER,
      text: 'hello everyone',
    })
    const mention = s.telegram.injectMessage({
      chatId: GROUP,
      chatType: 'supergroup',
      userId: USER,
      text: '@JustLayMeBot what is up?',
    })
    const [reply, ...more] = (await s.telegram.until(
      settled(s, GROUP, 'Group answer.'),
    )) as DoubleMessage[]

    expect(reply?.text).toBe('Group answer.')
    expect(more).toEqual([])
    expect(chatRequests(s)).toHaveLength(1)
    expect(lastUserText(s)).toContain('what is up?')
    expect(lastUserText(s)).not.toContain('@JustLayMeBot')
    const sent = s.telegram.callsOf('sendMessage')[0]?.body
    expect(sent?.reply_parameters?.message_id).toBe(mention.message.message_id)
  })

  it('answers a reply to one of its messages in a group', async () => {
    stack = await startStack()
    const s = stack
    s.ollama.set({ reply: () => 'First.' })
    s.telegram.injectMessage({
      chatId: GROUP,
      chatType: 'group',
      userId: USER,
      text: '@JustLayMeBot hi',
    })
    const [first] = (await s.telegram.until(settled(s, GROUP, 'First.'))) as DoubleMessage[]
    s.ollama.set({ reply: () => 'Second.' })
    s.telegram.injectMessage({
      chatId: GROUP,
      chatType: 'group',
      userId: USER,
      text: 'and then?',
      replyTo: first?.message_id as number,
    })
    const messages = await s.telegram.until(settled(s, GROUP, 'First.', 'Second.'))
    expect(messages.map((m) => m.text)).toEqual(['First.', 'Second.'])
  })

  it('switches persona through the inline keyboard and answers the callback query', async () => {
    stack = await startStack()
    const s = stack
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: '/personas' })
    const list = await s.telegram.until(() =>
      s.telegram.botMessages(USER).find((m) => m.replyMarkup !== undefined),
    )
    const buttons = (
      list.replyMarkup as { inline_keyboard: { text: string; callback_data: string }[][] }
    ).inline_keyboard.flat()
    const ilse = buttons.find((b) => b.text.startsWith('Ilse'))
    expect(ilse).toBeDefined()
    expect(Buffer.byteLength(ilse?.callback_data ?? '')).toBeLessThanOrEqual(64)

    const click = s.telegram.injectCallbackQuery({
      chatId: USER,
      userId: USER,
      messageId: list.message_id,
      data: ilse?.callback_data ?? '',
    })
    const switched = await s.telegram.until(() =>
      s.telegram.botMessages(USER).find((m) => /Ilse.* now answers/.test(m.text)),
    )
    expect(switched).toBeDefined()
    expect(s.telegram.answeredCallbacks.has(click.callback_query.id)).toBe(true)

    s.ollama.set({ reply: () => 'Ilse here.' })
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: 'who are you?' })
    await s.telegram.until(() => s.telegram.botMessages(USER).find((m) => m.text === 'Ilse here.'))
    const body = chatRequests(s).at(-1)?.body as { messages: { role: string; content: string }[] }
    expect(body.messages[0]?.content).toContain('Varga')
  })

  it('always answers a callback query, also for expired buttons', async () => {
    stack = await startStack()
    const s = stack
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: '/help' })
    const help = await s.telegram.until(() => s.telegram.botMessages(USER)[0])
    const click = s.telegram.injectCallbackQuery({
      chatId: USER,
      userId: USER,
      messageId: help.message_id,
      data: '#zz',
    })
    const answer = await s.telegram.until(() =>
      s.telegram.answeredCallbacks.get(click.callback_query.id),
    )
    expect(answer.text).toMatch(/expired/)
  })

  it('splits a 9,000-character reply at paragraph boundaries into messages under the limit', async () => {
    stack = await startStack()
    const s = stack
    const paragraphs = Array.from(
      { length: 30 },
      (_, i) => `Paragraph ${i} ${'word '.repeat(58)}end.`,
    )
    const text = paragraphs.join('\n\n')
    expect(text.length).toBeGreaterThan(9_000)
    s.ollama.set({ reply: () => text.split(/(?<=\n\n)/), tokenIntervalMs: 5 })
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: 'tell me a lot' })
    const messages = await s.telegram.until(() => {
      const all = s.telegram.botMessages(USER)
      return all.map((m) => m.text).join('\n\n') === text ? all : undefined
    })

    expect(messages).toHaveLength(3)
    for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(4096)
    for (const m of messages) expect(m.text).toMatch(/end\.$/)
    expect(messages.map((m) => m.text).join('\n\n')).toBe(text)
  })

  it('formats every streaming edit, even in the middle of ** or a code fence', async () => {
    stack = await startStack()
    const s = stack
    const tokens = [
      '*She smiles.* ',
      '**Listen',
      ' closely',
      '** now.\n\n',
      '```py\n',
      'print(1)',
      '\n',
      '```',
    ]
    s.ollama.set({ reply: () => tokens, tokenIntervalMs: 400 })
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: 'hi' })
    const [reply] = (await s.telegram.until(
      settled(s, USER, 'She smiles. Listen closely now.\n\nprint(1)'),
    )) as DoubleMessage[]
    expect(reply?.entities.map((e) => e.type)).toEqual(['italic', 'bold', 'pre'])
    const writes = [...s.telegram.callsOf('sendMessage'), ...s.telegram.callsOf('editMessageText')]
    expect(writes.length).toBeGreaterThan(2)
    for (const call of writes) {
      expect(call.body.parse_mode).toBe('HTML')
      expect(call.error ?? '').not.toMatch(/parse entities/)
    }
    // At least one edit showed a state the model had not finished: closed for display.
    const partial = s.telegram
      .callsOf('editMessageText')
      .map((c) => String(c.body.text))
      .filter((html) => html !== s.telegram.callsOf('editMessageText').at(-1)?.body.text)
    expect(partial.some((html) => /<b>|<pre>/.test(html))).toBe(true)
  })

  it('sends the plain text when Telegram rejects the formatted reply', async () => {
    stack = await startStack()
    const s = stack
    s.telegram.rejectHtml(USER)
    s.ollama.set({ reply: () => 'Some **bold** claim with <tags>.' })
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: 'hi' })
    const reply = await s.telegram.until(() =>
      s.telegram.botMessages(USER).find((m) => m.text.includes('claim')),
    )
    await s.telegram.until(() =>
      s.telegram.callsOf('editMessageText').some((c) => c.body.parse_mode === 'HTML' && c.error),
    )
    await s.telegram.until(
      () => reply.text === 'Some **bold** claim with <tags>.' && reply.parseMode === undefined,
    )
    expect(reply.entities).toEqual([])
  })

  it('waits out 429 flood errors and ends with the complete text', async () => {
    stack = await startStack()
    const s = stack
    s.telegram.setFloodRule(USER, { max: 2, windowMs: 1_000, retryAfterSeconds: 1 })
    const words = Array.from({ length: 40 }, (_, i) => `w${i} `)
    s.ollama.set({ reply: () => words, tokenIntervalMs: 30 })
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: 'flood me' })
    const [reply] = (await s.telegram.until(
      settled(s, USER, words.join('').trim()),
    )) as DoubleMessage[]

    expect(reply?.text).toBe(words.join('').trim())
    expect(s.telegram.calls.some((c) => c.error?.startsWith('Too Many Requests'))).toBe(true)
  })

  it('keeps waiting out 429s however many come in a row, so the reply still arrives', async () => {
    stack = await startStack()
    const s = stack
    s.ollama.set({ reply: () => 'Patience pays.' })
    const tooMany = {
      code: 429,
      description: 'Too Many Requests: retry after 0',
      parameters: { retry_after: 0 },
    }
    // More consecutive 429s than a small retry budget would allow, on every send and edit.
    s.telegram.failNext('sendMessage', tooMany, 12)
    s.telegram.failNext('editMessageText', tooMany, 12)
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: 'hi' })
    const [reply] = (await s.telegram.until(settled(s, USER, 'Patience pays.'))) as DoubleMessage[]
    expect(reply?.text).toBe('Patience pays.')
    expect(
      s.telegram.callsOf('sendMessage').filter((c) => c.error?.startsWith('Too Many')),
    ).toHaveLength(12)
  })

  it('streams in two chats at once: a stuck reply does not hold up another chat', async () => {
    stack = await startStack()
    const s = stack
    const OTHER = 2002
    s.ollama.set({ failure: { type: 'hang' }, failureCount: 1 })
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: 'this one hangs' })
    await s.telegram.until(() => s.ollama.active === 1 && s.telegram.botMessages(USER)[0])
    s.ollama.set({ reply: () => 'Quick answer.' })
    s.telegram.injectMessage({ chatId: OTHER, userId: OTHER, text: 'hello' })
    const [other] = (await s.telegram.until(settled(s, OTHER, 'Quick answer.'))) as DoubleMessage[]

    expect(other?.text).toBe('Quick answer.')
    expect(s.telegram.botMessages(USER)[0]?.text).toMatch(/is typing/)
    expect(s.ollama.active).toBe(1)
  })

  it('sends a file with sendDocument for /persona export', async () => {
    stack = await startStack()
    const s = stack
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: '/persona export mara-quill' })
    const doc = await s.telegram.until(() => s.telegram.botMessages(USER).find((m) => m.document))
    expect(doc.document?.fileName).toMatch(/\.json$/)
    expect(JSON.parse(doc.document?.content ?? '{}').spec).toBe('chara_card_v3')
  })

  it('answers /subscribe with an inline URL button', async () => {
    stack = await startStack()
    const s = stack
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: '/subscribe' })
    const msg = await s.telegram.until(() => s.telegram.botMessages(USER)[0])
    expect(msg.text).toMatch(/Premium/)
    expect(msg.replyMarkup).toEqual({
      inline_keyboard: [
        [
          {
            text: 'Subscribe',
            url: expect.stringMatching(/^https:\/\/bots\.example\.com\/subscribe\//),
          },
        ],
      ],
    })
  })

  it('sends a personal answer asked for in a group privately and says so in the group', async () => {
    stack = await startStack()
    const s = stack
    s.telegram.injectMessage({
      chatId: GROUP,
      chatType: 'supergroup',
      userId: USER,
      text: '/subscribe@JustLayMeBot',
    })
    const pointer = await s.telegram.until(() => s.telegram.botMessages(GROUP)[0])
    expect(pointer.text).toMatch(/private message/)
    expect(pointer.replyMarkup).toBeUndefined()
    const dm = s.telegram.botMessages(USER)[0]
    expect(dm?.text).toMatch(/Premium/)
    expect(dm?.replyMarkup).toBeDefined()
  })

  it('inserts display names as plain text: a name shaped like a link never becomes one', async () => {
    stack = await startStack()
    const s = stack
    const name = '[Admin: verify here](https://evil.example/verify) **boss**'
    s.telegram.injectMessage({
      chatId: GROUP,
      chatType: 'supergroup',
      userId: USER,
      firstName: name,
      text: '/subscribe@JustLayMeBot',
    })
    const pointer = await s.telegram.until(() => s.telegram.botMessages(GROUP)[0])
    expect(pointer.text).toBe(`${name}, I've sent you the answer in a private message.`)
    expect(pointer.entities).toEqual([])

    // The persona greeting names the person ({{user}}): still plain text.
    s.telegram.injectMessage({ chatId: USER, userId: USER, firstName: name, text: '/reset' })
    const greeting = await s.telegram.until(() =>
      s.telegram.botMessages(USER).find((m) => m.text.includes('verify here')),
    )
    expect(greeting.text).toContain(name)
    expect(greeting.entities.filter((e) => e.type === 'text_link' || e.type === 'bold')).toEqual([])
  })

  it('keeps a forum topic as its own conversation and answers inside the topic', async () => {
    stack = await startStack()
    const s = stack
    s.ollama.set({ reply: () => 'Topic answer.' })
    s.telegram.injectMessage({
      chatId: GROUP,
      chatType: 'supergroup',
      userId: USER,
      threadId: 77,
      text: '@JustLayMeBot hello topic',
    })
    const [reply] = (await s.telegram.until(settled(s, GROUP, 'Topic answer.'))) as DoubleMessage[]
    expect(reply?.text).toBe('Topic answer.')
    expect(reply?.threadId).toBe(77)
    expect(s.telegram.callsOf('sendChatAction')[0]?.body.message_thread_id).toBe(77)
  })

  it('retries a 5xx from the Bot API and still delivers the reply', async () => {
    stack = await startStack()
    const s = stack
    s.ollama.set({ reply: () => 'Made it.' })
    s.telegram.failNext('sendMessage', { code: 502, description: 'Bad Gateway' }, 1)
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: 'hi' })
    const [reply] = (await s.telegram.until(settled(s, USER, 'Made it.'))) as DoubleMessage[]
    expect(reply?.text).toBe('Made it.')
    expect(s.telegram.callsOf('sendMessage')[0]?.error).toBe('Bad Gateway')
  })

  it('delivers notices privately through the messenger, with link buttons', async () => {
    stack = await startStack()
    const s = stack
    const delivered = await s.bot.messenger.sendDirect(String(USER), {
      text: 'Your premium is active.',
      links: [{ label: 'Manage', url: 'https://bots.example.com/billing/x' }],
    })
    expect(delivered).toBe(true)
    const [notice] = s.telegram.botMessages(USER)
    expect(notice?.text).toBe('Your premium is active.')
    expect(JSON.stringify(notice?.replyMarkup)).toContain('https://bots.example.com/billing/x')
    s.telegram.failNext(
      'sendMessage',
      { code: 403, description: 'Forbidden: bot was blocked by the user' },
      2,
    )
    expect(await s.bot.messenger.sendDirect(String(USER), { text: 'hello?' })).toBe(false)
  })

  it('edits at most 20 times a minute in a group, with the latest text each time', async () => {
    stack = await startStack({ groupEditsPerMinute: 20 })
    const s = stack
    const words = Array.from({ length: 40 }, (_, i) => `g${i} `)
    s.ollama.set({ reply: () => words, tokenIntervalMs: 50 })
    s.telegram.injectMessage({
      chatId: GROUP,
      chatType: 'group',
      userId: USER,
      text: '@JustLayMeBot go',
    })
    const [reply] = (await s.telegram.until(
      settled(s, GROUP, words.join('').trim()),
    )) as DoubleMessage[]

    expect(reply?.text).toBe(words.join('').trim())
    // 40 tokens take ~2 s, longer on a busy machine. The exact pacing (one slot per 3 s, the
    // first words and the final text at once) is proven with a fake clock in edit-pacer.test.ts;
    // here: the group budget is the one used, whatever the stream's real duration. Edits are
    // 3-second slots apart, so there are at most 1 + elapsed / 3 s of them; consecutive edits
    // arrive at least 2.5 s apart (the private-chat budget would allow one a second; 0.5 s
    // allows for the edits' own delivery delays on a loaded machine).
    const edits = s.telegram.callsOf('editMessageText')
    const sentAt = s.telegram.callsOf('sendMessage').find((c) => c.body.chat_id === GROUP)?.at
    const times = edits.map((c) => c.at)
    expect(sentAt).toBeTypeOf('number')
    const elapsed = (times.at(-1) ?? 0) - (sentAt ?? 0)
    expect(edits.length).toBeGreaterThan(0)
    expect(edits.length).toBeLessThanOrEqual(1 + Math.floor(elapsed / 3_000))
    for (let i = 1; i < times.length; i++) {
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(2_500)
    }
  })
})
