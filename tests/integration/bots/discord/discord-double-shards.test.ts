import { REST, Routes } from 'discord.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { DiscordDouble } from '../../../doubles/discord-double.js'

/**
 * The Discord double shards like Discord: `GET /gateway/bot` recommends a count, IDENTIFY's
 * `shard: [id, count]` decides which servers' events a session gets, a bad shard closes with
 * 4010, a second IDENTIFY on one connection with 4005; history reads page with `after`.
 */

let discord: DiscordDouble
let rest: REST

beforeAll(async () => {
  discord = await DiscordDouble.start({ shards: 2, extraGuilds: 1 })
  rest = new REST({ api: discord.apiUrl, retries: 0 }).setToken('bot-token')
})

afterAll(async () => {
  await discord?.close()
})

/** Opens a raw gateway connection, sends `identifies`, and collects events until it closes. */
async function session(
  shard: unknown,
  identifies = 1,
): Promise<{
  ws: WebSocket
  events: { t: string; d: Record<string, unknown> }[]
  closed: Promise<number>
}> {
  const ws = new WebSocket(`${discord.apiUrl.replace(/^http/, 'ws').replace(/\/api$/, '')}/gateway`)
  const events: { t: string; d: Record<string, unknown> }[] = []
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
  await new Promise<void>((resolve) => ws.once('open', () => resolve()))
  ws.on('message', (raw) => {
    const p = JSON.parse(raw.toString()) as { op: number; t: string; d: Record<string, unknown> }
    if (p.op === 0) events.push({ t: p.t, d: p.d })
  })
  for (let i = 0; i < identifies; i += 1) {
    ws.send(JSON.stringify({ op: 2, d: { token: 'bot-token', intents: 0, shard, properties: {} } }))
  }
  return { ws, events, closed }
}

describe('Discord double sharding', () => {
  it('recommends the configured shard count', async () => {
    const info = (await rest.get(Routes.gatewayBot())) as {
      shards: number
      session_start_limit: { max_concurrency: number }
    }
    expect(info.shards).toBe(2)
    expect(info.session_start_limit.max_concurrency).toBe(1)
  })

  it('routes each server to its shard and DMs to shard 0', async () => {
    const zero = await session([0, 2])
    const one = await session([1, 2])
    await discord.waitFor(() => zero.events.length > 0 && one.events.length > 0)
    const guildsOf = (s: typeof zero) =>
      s.events.filter((e) => e.t === 'GUILD_CREATE').map((e) => e.d.id as string)
    await discord.waitFor(() => guildsOf(zero).length + guildsOf(one).length === 2)
    const extra = discord.extraGuilds[0]?.id as string
    const expected = (id: string) => Number((BigInt(id) >> 22n) % 2n)
    for (const id of guildsOf(zero)) expect(expected(id)).toBe(0)
    for (const id of guildsOf(one)) expect(expected(id)).toBe(1)
    expect([...guildsOf(zero), ...guildsOf(one)].sort()).toEqual([discord.guildId, extra].sort())

    const dm = discord.dmChannelFor(discord.users.bob.id)
    const dmId = discord.injectMessage({ channelId: dm, author: discord.users.bob, content: 'hi' })
    await discord.waitFor(() => zero.events.some((e) => e.d.id === dmId))
    expect(one.events.some((e) => e.d.id === dmId)).toBe(false)
    zero.ws.close()
    one.ws.close()
    await Promise.all([zero.closed, one.closed])
  })

  it('closes an invalid shard with 4010 and a second IDENTIFY with 4005', async () => {
    expect(await (await session([2, 2])).closed).toBe(4010)
    expect(await (await session([0, 1], 2)).closed).toBe(4005)
  })

  it('pages history after a message, oldest first, returned newest first', async () => {
    const channelId = discord.channels.other
    const ids = ['a', 'b', 'c', 'd'].map((content) =>
      discord.injectMessage({ channelId, author: discord.users.alice, content }),
    )
    const page = (await rest.get(Routes.channelMessages(channelId), {
      query: new URLSearchParams({ after: ids[0] as string, limit: '2' }),
    })) as { id: string; content: string }[]
    expect(page.map((m) => m.content)).toEqual(['c', 'b'])
    const tooMany = rest.get(Routes.channelMessages(channelId), {
      query: new URLSearchParams({ limit: '101' }),
    })
    await expect(tooMany).rejects.toThrow(/Invalid Form Body/)
  })
})
