import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { shardOfGuild } from '../../../../bots/discord/shard-plan.js'
import type { DatabaseHandle } from '../../../../src/storage/create-database.js'
import { DiscordDouble } from '../../../doubles/discord-double.js'
import {
  type DoubleChatRequest,
  type OllamaDouble,
  startOllamaDouble,
} from '../../../doubles/ollama-double.js'
import { createTestDatabase } from '../../../helpers/database.js'
import { MODEL } from './discord-stack.js'
import { answersIn, answersTo, type ShardReplica, startReplica } from './shard-stack.js'

/**
 * Discord gateway shards shared by replicas: real discord.js clients (one per shard) against
 * the Discord double, which routes each server's events to the session of its shard. A lone
 * replica (SQLite) runs every shard; several replicas (PostgreSQL) split them.
 */

let discord: DiscordDouble
let ollama: OllamaDouble
let database: DatabaseHandle | undefined
const replicas: ShardReplica[] = []

/** The words of the last user message, without the `name: ` the core puts before group messages. */
const lastUserText = (r: DoubleChatRequest) =>
  (r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '').replace(/^[^:]+: /, '')

beforeEach(async () => {
  discord = await DiscordDouble.start({ shards: 2, extraGuilds: 1 })
  ollama = await startOllamaDouble({ models: [MODEL], loaded: [MODEL] })
  ollama.set({ reply: (r) => `Echo: ${lastUserText(r)} END`, tokenIntervalMs: 5 })
})

afterEach(async () => {
  for (const replica of replicas.splice(0)) await replica.stop().catch(() => {})
  await database?.destroy()
  database = undefined
  await ollama.close()
  await discord.close()
})

/** A channel on each shard: the default server's and the extra server's. */
function channelsByShard(): Map<number, string> {
  const extra = discord.extraGuilds[0]
  if (!extra) throw new Error('the double has no extra server')
  const byShard = new Map<number, string>([
    [shardOfGuild(discord.guildId, 2), discord.channels.general],
    [shardOfGuild(extra.id, 2), extra.channelId],
  ])
  expect([...byShard.keys()].sort()).toEqual([0, 1])
  return byShard
}

async function mention(channelId: string, text: string): Promise<string> {
  return discord.injectMessage({
    channelId,
    author: discord.users.alice,
    content: text,
    mentionBot: true,
  })
}

async function answeredOnce(channelId: string, text: string): Promise<void> {
  await discord.waitFor(() => answersTo(discord, channelId, text) >= 1, 20_000)
}

describe('Discord shards, one replica (SQLite)', () => {
  it('runs every recommended shard and answers in each server and in DMs', async () => {
    database = await createTestDatabase('sqlite')
    const replica = await startReplica(database, discord, ollama)
    replicas.push(replica)
    expect(replica.bot.shardCount).toBe(2)
    expect(replica.bot.shards()).toEqual([0, 1])
    expect(discord.gateway.openShards()).toEqual(['0/2', '1/2'])
    for (const [shard, channelId] of channelsByShard()) {
      await mention(channelId, `hello shard ${shard}`)
      await answeredOnce(channelId, `hello shard ${shard}`)
    }
    const dm = discord.dmChannelFor(discord.users.bob.id)
    discord.injectMessage({ channelId: dm, author: discord.users.bob, content: 'a direct hello' })
    await answeredOnce(dm, 'a direct hello')
    expect(discord.undelivered).toEqual([])
    expect(discord.gateway.overlaps).toEqual([])
    expect(replica.bot.health()).toMatchObject({ status: 'up', detail: 'shards 0, 1 of 2' })
  })

  it('answers what was addressed to it while it was down, once, after it is back', async () => {
    database = await createTestDatabase('sqlite')
    const first = await startReplica(database, discord, ollama)
    const { general } = discord.channels
    const dm = discord.dmChannelFor(discord.users.bob.id)
    await mention(general, 'before the restart')
    await answeredOnce(general, 'before the restart')
    const ourAnswer = answersIn(discord, general).at(-1)?.id as string
    discord.injectMessage({ channelId: dm, author: discord.users.bob, content: 'dm before' })
    await answeredOnce(dm, 'dm before')
    await first.stop()

    const missed = [
      await mention(general, 'while down one'),
      await mention(general, 'while down two'),
    ]
    discord.injectMessage({
      channelId: general,
      author: discord.users.bob,
      content: 'not for the bot',
    })
    discord.injectMessage({ channelId: dm, author: discord.users.bob, content: 'dm while down' })
    discord.injectMessage({
      channelId: general,
      author: discord.users.bob,
      content: 'a reply while down',
      replyTo: ourAnswer,
    })
    expect(discord.undelivered).toHaveLength(5)
    expect(missed.every((id) => discord.undelivered.includes(id))).toBe(true)

    const second = await startReplica(database, discord, ollama)
    replicas.push(second)
    await second.bot.caughtUp()
    expect(answersTo(discord, general, 'while down one')).toBe(1)
    expect(answersTo(discord, general, 'while down two')).toBe(1)
    expect(answersTo(discord, dm, 'dm while down')).toBe(1)
    expect(answersTo(discord, general, 'a reply while down')).toBe(1)
    expect(answersTo(discord, general, 'before the restart')).toBe(1)
    expect(answersTo(discord, dm, 'dm before')).toBe(1)
    expect(answersTo(discord, general, 'not for the bot')).toBe(0)

    // A further restart finds nothing new to answer.
    await replicas.pop()?.stop()
    const third = await startReplica(database, discord, ollama)
    replicas.push(third)
    await third.bot.caughtUp()
    expect(answersTo(discord, general, 'while down one')).toBe(1)
    expect(answersTo(discord, dm, 'dm while down')).toBe(1)
  })

  it('answers nothing from before DISCORD_CATCHUP_MS', async () => {
    database = await createTestDatabase('sqlite')
    const first = await startReplica(database, discord, ollama)
    const { general } = discord.channels
    await mention(general, 'warm up')
    await answeredOnce(general, 'warm up')
    await first.stop()
    await mention(general, 'too old by now')
    const second = await startReplica(database, discord, ollama, { catchupMs: 0 })
    replicas.push(second)
    await second.bot.caughtUp()
    await mention(general, 'after the restart')
    await answeredOnce(general, 'after the restart')
    expect(answersTo(discord, general, 'too old by now')).toBe(0)
  })
})

describe.skipIf(!process.env.TEST_DATABASE_URL)('Discord shards, two replicas (PostgreSQL)', () => {
  beforeEach(async () => {
    database = await createTestDatabase('postgres')
  })

  async function twoReplicas(): Promise<[ShardReplica, ShardReplica]> {
    const db = database as DatabaseHandle
    const a = await startReplica(db, discord, ollama)
    replicas.push(a)
    expect(a.bot.shards()).toEqual([0, 1])
    const b = await startReplica(db, discord, ollama)
    replicas.push(b)
    // A gives one shard back on a later beat; B takes it on one of its own.
    await discord.waitFor(() => a.bot.shards().length === 1 && b.bot.shards().length === 1, 20_000)
    await discord.waitFor(() => discord.gateway.openShards().join() === '0/2,1/2', 10_000)
    return [a, b]
  }

  it('splits the shards when a second replica joins, never running one shard twice', async () => {
    const [a, b] = await twoReplicas()
    expect([...a.bot.shards(), ...b.bot.shards()].sort()).toEqual([0, 1])
    for (const [shard, channelId] of channelsByShard()) {
      await mention(channelId, `split ${shard}`)
      await answeredOnce(channelId, `split ${shard}`)
    }
    expect(discord.undelivered).toEqual([])
    expect(discord.gateway.overlaps).toEqual([])
    for (const [shard, channelId] of channelsByShard()) {
      expect(answersTo(discord, channelId, `split ${shard}`)).toBe(1)
    }
  })

  it('takes a dead replica’s shard over and answers what was sent meanwhile, once', async () => {
    const [a, b] = await twoReplicas()
    const [lost] = b.bot.shards()
    if (lost === undefined) throw new Error('b runs no shard')
    const channelId = channelsByShard().get(lost) as string
    await mention(channelId, 'before the crash')
    await answeredOnce(channelId, 'before the crash')

    await b.kill()
    replicas.splice(replicas.indexOf(b), 1)
    await discord.waitFor(() => !discord.gateway.openShards().includes(`${lost}/2`), 10_000)
    const missed = [
      await mention(channelId, 'nobody home one'),
      await mention(channelId, 'nobody home two'),
    ]
    expect(missed.every((id) => discord.undelivered.includes(id))).toBe(true)

    await discord.waitFor(() => a.bot.shards().includes(lost), 20_000)
    await a.bot.caughtUp()
    await answeredOnce(channelId, 'nobody home one')
    await answeredOnce(channelId, 'nobody home two')
    await mention(channelId, 'after the takeover')
    await answeredOnce(channelId, 'after the takeover')
    for (const text of [
      'before the crash',
      'nobody home one',
      'nobody home two',
      'after the takeover',
    ]) {
      expect(answersTo(discord, channelId, text)).toBe(1)
    }
    expect(discord.gateway.overlaps).toEqual([])
    expect(a.bot.shards()).toEqual([0, 1])
  })
})
