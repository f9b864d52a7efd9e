import { afterEach, describe, expect, it } from 'vitest'
import type { InteractionRecord } from '../../../doubles/discord-double.js'
import { modelOf } from '../../../helpers/media-bytes.js'
import { type DiscordStack, MODEL, startDiscordStack } from './discord-stack.js'

let stack: DiscordStack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

async function answer(s: DiscordStack, interaction: InteractionRecord): Promise<string> {
  const callback = await s.discord.waitFor(() => interaction.callbacks[0])
  return String(callback.data?.content)
}

function model(s: DiscordStack, user: 'alice' | 'bob', name?: string, manageGuild = false) {
  return s.discord.injectSlashCommand({
    channelId: s.discord.channels.general,
    user: s.discord.users[user],
    name: 'model',
    options: name ? [{ name: 'name', type: 3, value: name }] : [],
    manageGuild,
  })
}

describe('/model on Discord (real discord.js against the doubles)', () => {
  it('lists the models with size, loaded and vision; Manage Server or Manage Channels sets and clears the chat model', async () => {
    stack = await startDiscordStack()
    const s = stack
    s.ollama.set({ models: [MODEL, 'gemma3'], loaded: [MODEL], vision: ['gemma3'] })
    const registered = s.discord.commands.get(s.discord.guildId) as { name: string }[]
    expect(registered.map((c) => c.name)).toContain('model')

    const list = await answer(s, model(s, 'alice'))
    expect(list).toContain(`${MODEL}:latest — 2.0 GB, loaded, vision: no`)
    expect(list).toContain('gemma3:latest — 2.0 GB, not loaded, vision: yes')
    expect(list).toContain(`the persona's model, ${MODEL}`)

    expect(await answer(s, model(s, 'alice', 'gemma3'))).toContain('Only chat admins')
    expect(await answer(s, model(s, 'bob', 'nope', true))).toContain(
      'No model server here has "nope"',
    )
    expect(await answer(s, model(s, 'bob', 'gemma3', true))).toBe(
      'This chat now uses gemma3:latest.',
    )

    const status = s.discord.injectSlashCommand({
      channelId: s.discord.channels.general,
      user: s.discord.users.alice,
      name: 'status',
    })
    expect(await answer(s, status)).toContain(
      'Model: gemma3:latest (chosen for this chat with /model)',
    )

    s.ollama.set({ reply: () => 'From gemma.' })
    s.discord.injectMessage({
      channelId: s.discord.channels.general,
      author: s.discord.users.alice,
      content: 'hi',
      mentionBot: true,
    })
    await s.discord.waitFor(() =>
      s.discord
        .channelMessages(s.discord.channels.general)
        .find((m) => m.content === 'From gemma.'),
    )
    expect(modelOf(s.ollama.requestsTo('/api/chat').at(-1)?.body)).toBe('gemma3:latest')

    expect(await answer(s, model(s, 'bob', 'default', true))).toContain(
      `persona's model again (${MODEL})`,
    )
    // Manage Channels in this channel (without Manage Server) is a chat admin here too.
    const byChannelManager = s.discord.injectSlashCommand({
      channelId: s.discord.channels.general,
      user: s.discord.users.alice,
      name: 'model',
      options: [{ name: 'name', type: 3, value: 'gemma3' }],
      manageChannels: true,
    })
    expect(await answer(s, byChannelManager)).toBe('This chat now uses gemma3:latest.')
  })

  it('limits choices to ALLOWED_MODELS and keeps PREMIUM_MODELS for premium members', async () => {
    stack = await startDiscordStack({
      core: {
        allowedModels: [MODEL, 'big'],
        premiumModels: ['big'],
        admins: [{ platform: 'discord', platformUserId: '1000000000000000202' }],
      },
    })
    const s = stack
    s.ollama.set({ models: [MODEL, 'gemma3', 'big'] })
    const list = await answer(s, model(s, 'alice'))
    expect(list).not.toContain('gemma3')
    expect(list).toContain('big:latest — 2.0 GB, not loaded, vision: no, premium')

    expect(await answer(s, model(s, 'alice', 'gemma3', true))).toContain('not one of the models')
    expect(await answer(s, model(s, 'alice', 'big', true))).toContain('big is for premium members')
    // bob is listed in ADMINS, hence premium.
    expect(await answer(s, model(s, 'bob', 'big', true))).toBe('This chat now uses big:latest.')

    // A free member in that chat keeps the persona's model.
    s.ollama.set({ reply: () => 'Free answer.' })
    s.discord.injectMessage({
      channelId: s.discord.channels.general,
      author: s.discord.users.alice,
      content: 'hello',
      mentionBot: true,
    })
    await s.discord.waitFor(() =>
      s.discord
        .channelMessages(s.discord.channels.general)
        .find((m) => m.content === 'Free answer.'),
    )
    expect(modelOf(s.ollama.requestsTo('/api/chat').at(-1)?.body)).toBe(MODEL)
  })
})
