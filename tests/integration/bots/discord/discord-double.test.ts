import { DiscordAPIError, REST } from 'discord.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DiscordDouble } from '../../../doubles/discord-double.js'

let discord: DiscordDouble

beforeEach(async () => {
  discord = await DiscordDouble.start({ rateLimit: { limit: 2, windowMs: 60_000 } })
})

afterEach(async () => {
  await discord.close()
})

const post = (path: string, body: unknown) =>
  fetch(`${discord.apiUrl}/v10${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bot x' },
    body: JSON.stringify(body),
  })

describe('Discord double', () => {
  it('rejects content over 2,000 characters with 50035, as Discord does', async () => {
    const rest = new REST({ api: discord.apiUrl }).setToken('x')
    const error = await rest
      .post(`/channels/${discord.channels.general}/messages`, {
        body: { content: 'x'.repeat(2001) },
      })
      .catch((err: unknown) => err)
    expect(error).toBeInstanceOf(DiscordAPIError)
    expect((error as DiscordAPIError).code).toBe(50035)
    expect(discord.channelMessages(discord.channels.general)).toEqual([])
  })

  it('answers a real 429 with rate-limit headers once a channel bucket is empty', async () => {
    const path = `/channels/${discord.channels.general}/messages`
    const first = await post(path, { content: 'one' })
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1')
    await post(path, { content: 'two' })
    const limited = await post(path, { content: 'three' })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(limited.headers.get('x-ratelimit-bucket')).toBeTruthy()
    expect(((await limited.json()) as { retry_after: number }).retry_after).toBeGreaterThan(0)
    // Another channel has its own bucket.
    expect(
      (await post(`/channels/${discord.channels.other}/messages`, { content: 'ok' })).status,
    ).toBe(200)
  })

  it('refuses webhook creation with 403/50013 when the permission is toggled off', async () => {
    discord.webhookPermission = false
    const res = await post(`/channels/${discord.channels.general}/webhooks`, { name: 'hook' })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { code: number }).code).toBe(50013)
  })

  it('injects 5xx bursts that the real REST client retries through', async () => {
    discord.force5xx(/\/messages$/, 2, 'POST')
    const rest = new REST({ api: discord.apiUrl }).setToken('x')
    await rest.post(`/channels/${discord.channels.other}/messages`, { body: { content: 'after' } })
    expect(discord.requests.map((r) => r.status)).toEqual([502, 502, 200])
    expect(discord.channelMessages(discord.channels.other).map((m) => m.content)).toEqual(['after'])
  })
})
