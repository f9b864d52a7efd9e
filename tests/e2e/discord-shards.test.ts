import { afterAll, describe, expect, it } from 'vitest'
import { DiscordReplicas } from './discord-replicas.js'

/**
 * Issue #12 items 4 and 8 with real processes: two `npm start` replicas on one PostgreSQL
 * split Discord's two shards; `kill -9` of one → the other takes its shard over once the lease
 * expires (REPLICA_TIMEOUT_MS) and answers, exactly once, what was sent to that shard meanwhile.
 * Runs only when TEST_DATABASE_URL is set.
 */

const adminUrl = process.env.TEST_DATABASE_URL
let world: DiscordReplicas | undefined

afterAll(async () => {
  await world?.close()
})

describe.skipIf(!adminUrl)('Discord shards across replicas', () => {
  it('takes over a killed replica’s shard and answers what was sent meanwhile once', async () => {
    world = await DiscordReplicas.start(adminUrl as string, 3_000)
    const w = world
    const a = await w.add()
    await w.discord.waitFor(() => DiscordReplicas.shardsOf(a).length === 2, 30_000)
    const b = await w.add()
    await w.discord.waitFor(
      () => DiscordReplicas.shardsOf(a).length === 1 && DiscordReplicas.shardsOf(b).length === 1,
      30_000,
    )
    await w.discord.waitFor(() => w.discord.gateway.openShards().join() === '0/2,1/2', 20_000)
    const [lost] = DiscordReplicas.shardsOf(b)
    if (lost === undefined) throw new Error('b runs no shard')
    const channelId = w.channelOf(lost)
    const say = (text: string) =>
      w.discord.injectMessage({
        channelId,
        author: w.discord.users.alice,
        content: text,
        mentionBot: true,
      })
    say('before the kill')
    await w.discord.waitFor(() => w.answersTo(channelId, 'before the kill') === 1, 20_000)

    await b.kill9()
    await w.discord.waitFor(() => !w.discord.gateway.openShards().includes(`${lost}/2`), 10_000)
    const missed = [say('while nobody owns it'), say('still nobody')]
    expect(missed.every((id) => w.discord.undelivered.includes(id))).toBe(true)

    await w.discord.waitFor(() => DiscordReplicas.shardsOf(a).includes(lost), 30_000)
    for (const text of ['while nobody owns it', 'still nobody']) {
      await w.discord.waitFor(() => w.answersTo(channelId, text) >= 1, 30_000)
    }
    say('after the takeover')
    await w.discord.waitFor(() => w.answersTo(channelId, 'after the takeover') >= 1, 20_000)
    for (const text of [
      'before the kill',
      'while nobody owns it',
      'still nobody',
      'after the takeover',
    ]) {
      expect(w.answersTo(channelId, text)).toBe(1)
    }
    expect(w.discord.gateway.overlaps).toEqual([])
  })
})
