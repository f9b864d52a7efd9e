import { afterEach, describe, expect, it } from 'vitest'
import type { InteractionRecord, StoredMessage } from '../../../doubles/discord-double.js'
import { capturingLogger } from '../../../helpers/logger.js'
import { type DiscordStack, startDiscordStack } from './discord-stack.js'

let stack: DiscordStack | undefined

afterEach(async () => {
  await stack?.close()
  stack = undefined
})

type Button = { custom_id?: string; label?: string; url?: string; style?: number }

const buttonsOf = (m: StoredMessage): Button[] =>
  (m.components as { components: Button[] }[]).flatMap((row) => row.components)

const personaMessages = (s: DiscordStack, channelId: string) =>
  s.discord.channelMessages(channelId).filter((m) => m.webhookId !== null)

async function firstCallback(s: DiscordStack, interaction: InteractionRecord) {
  return s.discord.waitFor(() => interaction.callbacks[0])
}

describe('Discord slash commands and buttons against the Discord double', () => {
  it('suggests personas while typing /persona, then replies as the chosen one through the webhook', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    const typing = discord.injectAutocomplete({
      channelId: discord.channels.general,
      user: discord.users.bob,
      name: 'persona',
      focused: { name: 'name', value: 'ro' },
    })
    const suggestions = await firstCallback(stack, typing)
    expect(suggestions.type).toBe(8)
    const choices = (suggestions.data as { choices: { name: string; value: string }[] }).choices
    expect(choices.map((c) => c.value)).toContain('rook')
    expect(choices.map((c) => c.value)).not.toContain('nyx')

    const chosen = discord.injectSlashCommand({
      channelId: discord.channels.general,
      user: discord.users.bob,
      name: 'persona',
      options: [{ name: 'name', type: 3, value: 'rook' }],
      manageGuild: true,
    })
    const answer = await firstCallback(stack, chosen)
    expect(answer.type).toBe(4)
    expect(String(answer.data?.content)).toContain('now answers in this chat')

    ollama.set({ reply: () => 'Rook here.' })
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'who are you?',
      mentionBot: true,
    })
    const reply = await discord.waitFor(() =>
      personaMessages(stack as DiscordStack, discord.channels.general).find(
        (m) => m.content === 'Rook here.',
      ),
    )
    // "discord" is not allowed in webhook names: the name is adjusted, not rejected.
    expect(reply.username).toBe('Rook Disc0rd Fan')
    expect(reply.avatarUrl).toBe('https://example.com/rook.png')
  })

  it('answers personal commands ephemerally and members without Manage Server cannot switch the channel persona', async () => {
    stack = await startDiscordStack()
    const { discord } = stack
    const status = discord.injectSlashCommand({
      channelId: discord.channels.general,
      user: discord.users.alice,
      name: 'status',
    })
    const reply = await firstCallback(stack, status)
    expect(reply.type).toBe(4)
    expect(reply.data?.flags).toBe(64)
    expect(String(reply.data?.content)).toContain('Persona: Luna')

    const denied = discord.injectSlashCommand({
      channelId: discord.channels.general,
      user: discord.users.alice,
      name: 'persona',
      options: [{ name: 'name', type: 3, value: 'rook' }],
    })
    const refusal = await firstCallback(stack, denied)
    expect(refusal.data?.flags).toBe(64)
    expect(String(refusal.data?.content)).toContain('Only admins')
  })

  it('stops a streaming reply from its Stop button, and only for the person who asked', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    ollama.set({ replyTokens: 400, tokenIntervalMs: 50 })
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'talk a lot',
      mentionBot: true,
    })
    const streaming = await discord.waitFor(() =>
      personaMessages(stack as DiscordStack, discord.channels.general).find((m) =>
        m.content.startsWith('token0'),
      ),
    )
    const stop = buttonsOf(streaming).find((b) => b.label === 'Stop')
    expect(stop?.custom_id).toBeDefined()

    const intruder = discord.injectButton({
      channelId: discord.channels.general,
      user: discord.users.bob,
      customId: stop?.custom_id ?? '',
      messageId: streaming.id,
    })
    expect((await firstCallback(stack, intruder)).data?.flags).toBe(64)

    const owner = discord.injectButton({
      channelId: discord.channels.general,
      user: discord.users.alice,
      customId: stop?.custom_id ?? '',
      messageId: streaming.id,
    })
    expect((await firstCallback(stack, owner)).type).toBe(6)
    const stopped = await discord.waitFor(() => {
      const m = discord.messages.get(streaming.id)
      return m?.content.endsWith('*(stopped)*') ? m : undefined
    }, 15_000)
    expect(stopped.content).not.toContain('token399')
    expect(buttonsOf(stopped).map((b) => b.label)).toEqual(['Regenerate'])
  })

  it('regenerates the last reply from its button, as the person who clicked', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    let n = 0
    ollama.set({
      reply: () => {
        n += 1
        return `Answer number ${n}.`
      },
    })
    discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.alice,
      content: 'hello',
      mentionBot: true,
    })
    const first = await discord.waitFor(() =>
      personaMessages(stack as DiscordStack, discord.channels.general).find(
        (m) => m.content === 'Answer number 1.' && buttonsOf(m).length > 0,
      ),
    )
    const regen = buttonsOf(first).find((b) => b.label === 'Regenerate')
    const click = discord.injectButton({
      channelId: discord.channels.general,
      user: discord.users.alice,
      customId: regen?.custom_id ?? '',
      messageId: first.id,
    })
    expect((await firstCallback(stack, click)).type).toBe(6)
    const second = await discord.waitFor(() =>
      personaMessages(stack as DiscordStack, discord.channels.general).find(
        (m) => m.content === 'Answer number 2.' && buttonsOf(m).length > 0,
      ),
    )
    expect(second.username).toBe('Luna')
  })

  it('shares the edit budget of a channel between two replies streaming at once', async () => {
    stack = await startDiscordStack()
    const { discord, ollama } = stack
    ollama.set({ replyTokens: 30, tokenIntervalMs: 100 })
    for (const author of [discord.users.alice, discord.users.bob]) {
      discord.injectMessage({
        channelId: discord.channels.general,
        author,
        content: 'go',
        mentionBot: true,
      })
    }
    await discord.waitFor(
      () =>
        personaMessages(stack as DiscordStack, discord.channels.general).filter((m) =>
          buttonsOf(m).some((b) => b.label === 'Regenerate'),
        ).length === 2,
      20_000,
    )
    const edits = discord
      .requestsMatching('PATCH', /^\/webhooks\/.+\/messages\//)
      .filter((r) => r.status === 200)
    expect(edits.length).toBeGreaterThanOrEqual(4)
    // Placeholders and edits of both replies share Discord's 5 writes per 5 s in the channel.
    const writes = [
      ...discord.requestsMatching('POST', /^\/webhooks\/[^/]+\/[^/]+$/),
      ...edits,
    ].map((r) => r.at)
    for (const t of writes) {
      expect(writes.filter((u) => u >= t && u < t + 5_000).length).toBeLessThanOrEqual(5)
    }
    for (const m of personaMessages(stack, discord.channels.general)) {
      expect(m.content).toMatch(/token29$/)
    }
  })

  it('sends direct notices with link buttons through the messenger', async () => {
    stack = await startDiscordStack()
    const { discord, bot } = stack
    const delivered = await bot.messenger.sendDirect(discord.users.alice.id, {
      text: 'Your subscription is active.',
      links: [{ label: 'Manage billing', url: 'https://example.com/billing' }],
    })
    expect(delivered).toBe(true)
    const [dm] = discord.channelMessages(discord.dmChannelFor(discord.users.alice.id))
    expect(dm?.content).toBe('Your subscription is active.')
    expect(buttonsOf(dm as StoredMessage)).toEqual([
      expect.objectContaining({
        style: 5,
        label: 'Manage billing',
        url: 'https://example.com/billing',
      }),
    ])
  })

  it('defers a slow command within the 3 s window, then answers it privately', async () => {
    stack = await startDiscordStack({
      wrapCore: (core) => ({
        ...core,
        runCommand: async (invocation, io) => {
          await new Promise((resolve) => setTimeout(resolve, 2_000))
          await core.runCommand(invocation, io)
        },
      }),
    })
    const { discord } = stack
    const status = discord.injectSlashCommand({
      channelId: discord.channels.general,
      user: discord.users.alice,
      name: 'status',
    })
    const ack = await firstCallback(stack, status)
    expect(ack.type).toBe(5)
    const followUp = await discord.waitFor(() =>
      discord
        .channelMessages(discord.channels.general)
        .find((m) => m.interactionToken === status.token && m.content.includes('Persona: Luna')),
    )
    expect(followUp.flags).toBe(64)
    // The public "thinking…" placeholder was removed rather than left hanging.
    expect(status.originalId && discord.messages.get(status.originalId)?.deleted).toBe(true)
  })

  it('tells the person once by DM when it may not post in a channel', async () => {
    const { log, lines } = capturingLogger('warn')
    stack = await startDiscordStack({ webhookPermission: false, log })
    const { discord } = stack
    const general = discord.channels.general
    discord.forceError(new RegExp(`^/channels/${general}/messages$`), 100, 403, 50013, 'POST')
    const dm = discord.dmChannelFor(discord.users.alice.id)
    const reported = () => lines.filter((l) => l.msg === 'missing permission in channel').length
    discord.injectMessage({
      channelId: general,
      author: discord.users.alice,
      content: 'one',
      mentionBot: true,
    })
    await discord.waitFor(() => reported() === 1 && discord.channelMessages(dm).length === 1)
    discord.injectMessage({
      channelId: general,
      author: discord.users.alice,
      content: 'two',
      mentionBot: true,
    })
    await discord.waitFor(() => reported() === 2)
    const notices = discord.channelMessages(dm)
    expect(notices).toHaveLength(1)
    expect(notices[0]?.content).toContain('Send Messages')
    expect(stack.bot.health().status).toBe('up')
  })

  it('attaches files a command returns, privately', async () => {
    stack = await startDiscordStack()
    const { discord } = stack
    const exported = discord.injectSlashCommand({
      channelId: discord.channels.general,
      user: discord.users.alice,
      name: 'persona',
      options: [{ name: 'name', type: 3, value: 'export luna' }],
    })
    const reply = await firstCallback(stack, exported)
    expect(reply.type).toBe(4)
    expect(reply.data?.flags).toBe(64)
    const files = reply.data?.files as { filename: string; content: string }[]
    expect(files.map((f) => f.filename)).toEqual(['luna.json'])
    expect(JSON.parse(files[0]?.content ?? '{}')).toMatchObject({ spec: 'chara_card_v3' })
  })

  it('answers every message in an answer-all channel when Message Content is enabled', async () => {
    stack = await startDiscordStack({ bot: { messageContent: true } })
    const { discord, ollama } = stack
    expect((discord.gateway.identifies[0]?.intents ?? 0) & (1 << 15)).toBe(1 << 15)
    const set = discord.injectSlashCommand({
      channelId: discord.channels.other,
      user: discord.users.bob,
      name: 'channel',
      options: [
        { name: 'setting', type: 3, value: 'answer_all' },
        { name: 'value', type: 3, value: 'on' },
      ],
      manageGuild: true,
    })
    await firstCallback(stack, set)
    ollama.set({ reply: () => 'I heard you.' })
    discord.injectMessage({
      channelId: discord.channels.other,
      author: discord.users.alice,
      content: 'just chatting, no mention',
    })
    const reply = await discord.waitFor(() =>
      personaMessages(stack as DiscordStack, discord.channels.other).find(
        (m) => m.content === 'I heard you.',
      ),
    )
    expect(reply.username).toBe('Luna')
  })

  it('asks only for the intents it needs when Message Content is off', async () => {
    stack = await startDiscordStack()
    const intents = stack.discord.gateway.identifies[0]?.intents ?? 0
    // Guilds (1), GuildMessages (512), DirectMessages (4096), nothing privileged.
    expect(intents).toBe(1 | 512 | 4096)
  })
})
