import { randomUUID } from 'node:crypto'
import { Registry } from 'prom-client'
import {
  createShardedDiscordBot,
  type ShardedDiscordBot,
} from '../../../../bots/discord/sharded-discord-bot.js'
import { Membership } from '../../../../src/coordination/membership.js'
import { SqlChannelActivity } from '../../../../src/coordination/sql-channel-activity.js'
import { SqlInbox } from '../../../../src/coordination/sql-inbox.js'
import { SqlLeaseStore } from '../../../../src/coordination/sql-lease-store.js'
import { SqlReplicaRegistry } from '../../../../src/coordination/sql-replica-registry.js'
import type { RunningChatCore } from '../../../../src/core/create-chat-core.js'
import { createLlmGateway, type LlmGateway } from '../../../../src/llm/create-llm-gateway.js'
import type { DatabaseHandle } from '../../../../src/storage/create-database.js'
import { createSqlStores } from '../../../../src/storage/sql-stores.js'
import type { DiscordDouble, StoredMessage } from '../../../doubles/discord-double.js'
import type { OllamaDouble } from '../../../doubles/ollama-double.js'
import { createAdapterTestCore } from '../../../helpers/adapter-test-core.js'
import { silentLogger } from '../../../helpers/logger.js'
import { MODEL, PERSONAS, personaRepository } from './discord-stack.js'

/** One replica as a process would run it: its own core, membership and sharded Discord bot. */
export interface ShardReplica {
  readonly id: string
  readonly membership: Membership
  readonly bot: ShardedDiscordBot
  readonly core: RunningChatCore
  /** A clean stop: the bot disconnects, then the replica leaves (leases released). */
  stop(): Promise<void>
  /**
   * As `kill -9` looks to the others: its gateway connections close and it never writes to
   * the database again, so its leases stay until they expire.
   */
  kill(): Promise<void>
}

/** `target` whose methods reject while `down()` says so: a replica cut off from the database. */
function cutOff<T extends object>(target: T, down: () => boolean): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) =>
        down()
          ? Promise.reject(new Error('database unreachable'))
          : (value as (...a: unknown[]) => unknown).apply(obj, args)
    },
  })
}

export interface ReplicaOptions {
  readonly timeoutMs?: number
  readonly shards?: number | 'auto'
  readonly catchupMs?: number
}

/** Starts a replica over `database` against the doubles (the bot is started too). */
export async function startReplica(
  database: DatabaseHandle,
  discord: DiscordDouble,
  ollama: OllamaDouble,
  options: ReplicaOptions = {},
): Promise<ShardReplica> {
  const log = silentLogger()
  const timeoutMs = options.timeoutMs ?? 1_500
  const { db, dialect } = database
  let dead = false
  const leases = cutOff(new SqlLeaseStore(db, dialect), () => dead)
  const membership = new Membership({
    registry: cutOff(new SqlReplicaRegistry(db, dialect), () => dead),
    leases,
    self: { id: randomUUID(), host: 'test', pid: process.pid, version: 'test' },
    timeoutMs,
    onError: () => {},
  })
  await membership.start()
  const llm: LlmGateway = createLlmGateway(
    { log, registry: new Registry() },
    {
      hosts: [ollama.url],
      defaultModel: MODEL,
      concurrency: 4,
      maxQueue: 20,
      autoPull: false,
      firstTokenTimeoutMs: 20_000,
      idleTimeoutMs: 20_000,
      totalTimeoutMs: 60_000,
      replyCacheMaxKeys: 0,
      retryBackoffMs: 10,
    },
  )
  const core = createAdapterTestCore({
    stores: createSqlStores(db),
    llm,
    personas: personaRepository(PERSONAS),
    log,
    model: MODEL,
  })
  const bot = createShardedDiscordBot(
    {
      core,
      log,
      membership,
      leases,
      inbox: cutOff(new SqlInbox(db, dialect), () => dead),
      activity: cutOff(new SqlChannelActivity(db, dialect), () => dead),
    },
    {
      token: 'test.discord.token',
      apiUrl: discord.apiUrl,
      guildId: discord.guildId,
      messageContent: false,
      stopTimeoutMs: 2_000,
      shardCount: options.shards ?? 'auto',
      catchupMs: options.catchupMs ?? 120_000,
      claimTtlMs: timeoutMs,
    },
  )
  await bot.start()
  return {
    id: membership.id,
    membership,
    bot,
    core,
    async kill() {
      dead = true
      await bot.stop().catch(() => {})
      await core.close(0)
      await llm.close()
      await membership.stop()
    },
    async stop() {
      await membership.setDraining()
      await bot.stop()
      await core.close(1_000)
      await llm.close()
      await membership.stop()
    },
  }
}

/** The bot's answers in a channel (persona webhook posts and its own messages). */
export function answersIn(discord: DiscordDouble, channelId: string): StoredMessage[] {
  return discord
    .channelMessages(channelId)
    .filter((m) => m.webhookId !== null || m.authorId === discord.bot.id)
}

/** How many answers in `channelId` echo `text` (the Ollama double echoes the user's words). */
export function answersTo(discord: DiscordDouble, channelId: string, text: string): number {
  return answersIn(discord, channelId).filter((m) => m.content.includes(`Echo: ${text} END`)).length
}
