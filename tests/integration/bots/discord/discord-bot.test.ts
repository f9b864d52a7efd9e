import { afterEach, describe, expect, it } from 'vitest'
import { createDiscordBot } from '../../../../bots/discord/discord-bot.js'
import type { ChatCore } from '../../../../src/core/chat-core.js'
import { DiscordDouble, type StoredMessage } from '../../../doubles/discord-double.js'
import { silentLogger } from '../../../helpers/logger.js'
import { type DiscordStack, startDiscordStack } from './discord-stack.js'

let stack: DiscordStack | undefined

afterEach(async () => {
  await stack?.close()
  stack = undefined
})

const buttonsOf = (m: StoredMessage): { custom_id?: string; label?: string; url?: string }[] =>
  (
    m.components as { components: { custom_id?: string; label?: string; url?: string }[] }[]
  ).flatMap((row) => row.components)

/** Resolves once the reply in `channelId` carries the Regenerate button (its final edit). */
async function finalReply(s: DiscordStack, channelId: string): Promise<StoredMessage[]> {
  return s.discord.waitFor(() => {
    const ours = s.discord
      .channelMessages(channelId)
      .filter((m) => m.webhookId !== null || m.authorId === s.discord.bot.id)
    const last = ours.at(-1)
    return last && buttonsOf(last).some((b) => b.label === 'Regenerate') ? ours : undefined
  }, 20_000)
}

describe('Discord bot against the Discord double', () => {
  it('registers every core command to the configured guild with typed options', async () => {
    stack = await startDiscordStack()
    const { discord, core } = stack
    const registered = discord.commands.get(discord.guildId) as {
      name: string
      options: { name: string; type: number; autocomplete?: boolean }[]
    }[]
    expect(registered.map((c) => c.name).sort()).toEqual(core.commands.map((c) => c.name).sort())
    const persona = registered.find((c) => c.name === 'persona')
    expect(persona?.options[0]).toMatchObject({ name: 'name', type: 3, autocomplete: true })
    expect(stack.bot.health().status).toBe('up')
  })

  it('answers a mention with a streamed reply as the persona, edits spaced per channel', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ')
    ollama.set({ reply: () => words, tokenIntervalMs: 100 })
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'tell me something',
      mentionBot: true,
    })
    const [reply, ...extra] = await finalReply(stack, discord.channels.general)
    expect(extra).toEqual([])
    expect(reply?.content).toBe(words)
    expect(reply?.username).toBe('Luna')
    expect(reply?.avatarUrl).toBe('https://example.com/luna.png')
    const edits = discord.requestsMatching('PATCH', /^\/webhooks\/.+\/messages\//)
    expect(edits.length).toBeGreaterThanOrEqual(2)
    for (let i = 1; i < edits.length; i++) {
      expect((edits[i]?.at ?? 0) - (edits[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(900)
    }
    // One webhook created for the channel, reused for every message.
    expect(discord.requestsMatching('POST', /^\/channels\/\d+\/webhooks$/)).toHaveLength(1)
  })

  it('keeps a DM conversation going, speaking as the bot with the persona name shown', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    const dm = discord.dmChannelFor(discord.users.alice.id)
    ollama.set({ reply: (req) => `You said: ${req.messages.at(-1)?.content ?? ''}` })
    discord.injectMessage({ channelId: dm, author: discord.users.alice, content: 'first question' })
    const first = await finalReply(stack, dm)
    expect(first.at(-1)?.content).toBe('**Luna**\nYou said: first question')
    expect(first.at(-1)?.webhookId).toBeNull()
    discord.injectMessage({ channelId: dm, author: discord.users.alice, content: 'second one' })
    await discord.waitFor(() =>
      discord.channelMessages(dm).some((m) => m.content.endsWith('You said: second one')),
    )
    const lastRequest = ollama.requestsTo('/api/chat').at(-1)?.body as {
      messages: { content: string }[]
    }
    const history = lastRequest.messages.map((m) => m.content).join('\n')
    expect(history).toContain('first question')
    expect(history).toContain('You said: first question')
  })

  it('splits a 4,500-character reply into three messages with balanced code fences', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    const para = (n: number) => `Paragraph ${n}. ${'Some prose here. '.repeat(40)}`.trim()
    const code = Array.from({ length: 60 }, (_, i) => `print("line ${i} of the program")`)
    const text = [para(1), '```python', ...code, '```', para(2), para(3), para(4)].join('\n\n')
    expect(text.length).toBeGreaterThan(4_400)
    expect(text.length).toBeLessThan(5_000)
    ollama.set({ reply: () => text })
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'long please',
      mentionBot: true,
    })
    const parts = await finalReply(stack, discord.channels.general)
    expect(parts).toHaveLength(3)
    for (const part of parts) {
      expect(part.content.length).toBeLessThanOrEqual(2_000)
      expect((part.content.match(/```/g) ?? []).length % 2).toBe(0)
      expect(part.username).toBe('Luna')
    }
    const joined = parts.map((p) => p.content).join('\n')
    for (let i = 0; i < 60; i++) expect(joined).toContain(`print("line ${i} of the program")`)
    expect(joined).toContain('Paragraph 3.')
    // Only the last part carries the Regenerate button.
    expect(parts.slice(0, -1).every((p) => buttonsOf(p).length === 0)).toBe(true)
  })

  it('waits out 429 answers on edits and still ends with the complete text', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ')
    ollama.set({ reply: () => words, tokenIntervalMs: 80 })
    discord.force429(/^\/webhooks\/\d+\/[^/]+\/messages\/\d+$/, 2, 'PATCH')
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'go',
      mentionBot: true,
    })
    const [reply] = await finalReply(stack, discord.channels.general)
    expect(reply?.content).toBe(words)
    const limited = discord.requests.filter((r) => r.status === 429)
    expect(limited).toHaveLength(2)
  })

  it('never lets model output ping anyone', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    ollama.set({ reply: () => `Hey @everyone and @here and <@${discord.users.bob.id}>!` })
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'ping them',
      mentionBot: true,
    })
    const [reply] = await finalReply(stack, discord.channels.general)
    expect(reply?.content).toContain('@everyone')
    const sends = discord.requests.filter(
      (r) =>
        (r.method === 'POST' || r.method === 'PATCH') &&
        /\/messages|^\/webhooks\/\d+\/[^/]+$/.test(r.path),
    )
    expect(sends.length).toBeGreaterThan(1)
    for (const request of sends) {
      const body = request.body as { allowed_mentions?: { parse?: unknown[] } }
      expect(body.allowed_mentions?.parse).toEqual([])
    }
  })

  it('refuses an adult persona in a normal channel and answers in an age-restricted one', async () => {
    stack = await startDiscordStack()
    const { discord, ollama, stores } = stack
    await stores.chatSettings.update(`discord-guild:${discord.guildId}`, { personaId: 'nyx' }, 0)
    ollama.set({ reply: () => 'Good evening.' })
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'hi',
      mentionBot: true,
    })
    const refusal = await discord.waitFor(() =>
      discord
        .channelMessages(discord.channels.general)
        .find((m) => m.authorId === discord.bot.id && m.content.includes('adults only')),
    )
    expect(refusal.content).toContain('Nyx')
    expect(ollama.requestsTo('/api/chat')).toHaveLength(0)
    discord.injectMessage({
      channelId: discord.channels.nsfw,
      author: discord.users.alice,
      content: 'hi',
      mentionBot: true,
    })
    const [reply] = await finalReply(stack, discord.channels.nsfw)
    expect(reply?.content).toBe('Good evening.')
    expect(reply?.username).toBe('Nyx')
  })

  it('tells the channel clearly when the model server is down', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    await ollama.stop()
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'are you there?',
      mentionBot: true,
    })
    const message = await discord.waitFor(
      () =>
        discord
          .channelMessages(discord.channels.general)
          .find((m) => m.webhookId !== null && m.content.startsWith('⚠️')),
      20_000,
    )
    expect(message.content).toContain('The model server is offline right now')
    expect(message.content).toMatch(/try again/)
  })

  it('falls back to bot messages headed with the persona name without Manage Webhooks', async () => {
    stack = await startDiscordStack({ webhookPermission: false })
    const { discord, ollama } = stack
    ollama.set({ reply: () => 'Plain answer.' })
    for (const content of ['one', 'two']) {
      discord.injectMessage({
        channelId: discord.channels.general,
        author: discord.users.alice,
        content,
        mentionBot: true,
      })
      await discord.waitFor(
        () =>
          discord
            .channelMessages(discord.channels.general)
            .filter((m) => m.content === '**Luna**\nPlain answer.').length >=
          (content === 'one' ? 1 : 2),
      )
    }
    const notices = discord
      .channelMessages(discord.channels.general)
      .filter((m) => m.content.includes('Manage Webhooks'))
    expect(notices).toHaveLength(1)
  })

  it('posts in a thread through the parent channel webhook with thread_id', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    ollama.set({ reply: () => 'In the thread.' })
    discord.injectMessage({
      channelId: discord.channels.thread,
      author: discord.users.alice,
      content: 'hello thread',
      mentionBot: true,
    })
    const [reply] = await finalReply(stack, discord.channels.thread)
    expect(reply?.content).toBe('In the thread.')
    const executes = discord.requestsMatching('POST', /^\/webhooks\/\d+\/[^/]+$/)
    expect(executes[0]?.query.get('thread_id')).toBe(discord.channels.thread)
  })

  it('answers a reply to a persona message without a mention, and ignores other chatter', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    ollama.set({ reply: (req) => `Re: ${req.messages.at(-1)?.content ?? ''}` })
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'start',
      mentionBot: true,
    })
    const [first] = await finalReply(stack, discord.channels.general)
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.bob,
      content: 'unrelated chatter',
    })
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'follow up',
      replyTo: first?.id ?? '',
    })
    await discord.waitFor(() =>
      discord
        .channelMessages(discord.channels.general)
        .find((m) => m.webhookId !== null && m.content.includes('follow up')),
    )
    const answered = ollama
      .requestsTo('/api/chat')
      .map((r) => (r.body as { messages: { content: string }[] }).messages.at(-1)?.content)
    expect(answered).not.toContain('unrelated chatter')
  })

  it('on stop, lets a streaming reply make its final edit before disconnecting', async () => {
    stack = await startDiscordStack()
    const { discord, ollama, bot } = stack
    ollama.set({ replyTokens: 400, tokenIntervalMs: 50 })
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'talk a lot',
      mentionBot: true,
    })
    const streaming = await discord.waitFor(() =>
      discord
        .channelMessages(discord.channels.general)
        .find((m) => m.webhookId !== null && m.content.startsWith('token0')),
    )
    await bot.stop()
    const final = discord.messages.get(streaming.id)
    expect(final?.content).toMatch(/^token0 .*\*\(stopped\)\*$/s)
    expect(buttonsOf(final as StoredMessage).map((b) => b.label)).toEqual(['Regenerate'])
    expect(bot.health().status).toBe('down')
  })

  it('fails start() with an error when the Discord API cannot be reached', async () => {
    const closed = await DiscordDouble.start()
    const apiUrl = closed.apiUrl
    await closed.close()
    const core: ChatCore = {
      commands: [],
      reply: async function* () {},
      runCommand: async () => {},
      parseArgs: () => ({}),
      autocomplete: async () => [],
      stop: async () => false,
    }
    const bot = createDiscordBot(
      { core, log: silentLogger() },
      { token: 'x.y', apiUrl, messageContent: false, readyTimeoutMs: 5_000 },
    )
    await expect(bot.start()).rejects.toThrow()
    expect(bot.health()).toMatchObject({ name: 'discord', status: 'down' })
    await bot.stop()
  })
})
