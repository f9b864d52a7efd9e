import { DiscordAPIError, REST, Routes } from 'discord.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DiscordDouble, INTERACTION_ACK_MS } from '../../../doubles/discord-double.js'

/**
 * The Discord double refuses what Discord refuses, driven by discord.js's own REST client:
 * an edit through the wrong channel or webhook is an unknown message (10008), another
 * author's message cannot be edited (50005), and an interaction not acknowledged within
 * 3 s is gone (10062).
 */

let discord: DiscordDouble
let rest: REST

beforeAll(async () => {
  discord = await DiscordDouble.start()
  rest = new REST({ api: discord.apiUrl, retries: 0 }).setToken('bot-token')
})

afterAll(async () => {
  await discord?.close()
})

async function codeOf(request: Promise<unknown>): Promise<number | string> {
  try {
    await request
    return 'accepted'
  } catch (error) {
    if (error instanceof DiscordAPIError) return Number(error.code)
    throw error
  }
}

describe('Discord double strictness', () => {
  it('refuses an edit through another channel with 10008 Unknown Message', async () => {
    const sent = (await rest.post(Routes.channelMessages(discord.channels.general), {
      body: { content: 'hello' },
    })) as { id: string }
    const wrongChannel = rest.patch(Routes.channelMessage(discord.channels.other, sent.id), {
      body: { content: 'edited' },
    })
    expect(await codeOf(wrongChannel)).toBe(10008)
    const rightChannel = rest.patch(Routes.channelMessage(discord.channels.general, sent.id), {
      body: { content: 'edited' },
    })
    expect(await codeOf(rightChannel)).toBe('accepted')
  })

  it("refuses an edit of someone else's message with 50005", async () => {
    const id = discord.injectMessage({
      channelId: discord.channels.general,
      author: discord.users.bob,
      content: 'my words',
    })
    const edit = rest.patch(Routes.channelMessage(discord.channels.general, id), {
      body: { content: 'not yours' },
    })
    expect(await codeOf(edit)).toBe(50005)
    expect(discord.messages.get(id)?.content).toBe('my words')
  })

  it('refuses an edit of a webhook message through another webhook with 10008', async () => {
    const a = (await rest.post(Routes.channelWebhooks(discord.channels.general), {
      body: { name: 'Persona A' },
    })) as { id: string; token: string }
    const b = (await rest.post(Routes.channelWebhooks(discord.channels.general), {
      body: { name: 'Persona B' },
    })) as { id: string; token: string }
    const sent = (await rest.post(Routes.webhook(a.id, a.token), {
      body: { content: 'from A' },
      query: new URLSearchParams({ wait: 'true' }),
      auth: false,
    })) as { id: string }
    const viaB = rest.patch(Routes.webhookMessage(b.id, b.token, sent.id), {
      body: { content: 'hijacked' },
      auth: false,
    })
    expect(await codeOf(viaB)).toBe(10008)
    const viaA = rest.patch(Routes.webhookMessage(a.id, a.token, sent.id), {
      body: { content: 'edited by A' },
      auth: false,
    })
    expect(await codeOf(viaA)).toBe('accepted')
  })

  it('forgets an interaction not acknowledged within 3 s (10062)', async () => {
    const fresh = discord.injectSlashCommand({
      channelId: discord.channels.general,
      user: discord.users.bob,
      name: 'status',
    })
    const late = discord.injectSlashCommand({
      channelId: discord.channels.general,
      user: discord.users.bob,
      name: 'status',
    })
    const ack = (i: { id: string; token: string }) =>
      rest.post(Routes.interactionCallback(i.id, i.token), {
        body: { type: 5 },
        auth: false,
      })
    expect(await codeOf(ack(fresh))).toBe('accepted')
    await new Promise((resolve) => setTimeout(resolve, INTERACTION_ACK_MS + 200))
    expect(await codeOf(ack(late))).toBe(10062)
  })
})
