import { type APIGatewayBotInfo, Client, type Message, REST, Routes } from 'discord.js'
import { type ChannelActivity, shardKey } from '../../src/coordination/channel-activity.js'
import type { Inbox } from '../../src/coordination/inbox.js'
import type { LeaseStore } from '../../src/coordination/ports.js'
import type { ChatCore } from '../../src/core/chat-core.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { PlatformMessenger } from '../../src/core/ports/messenger.js'
import type { ComponentHealth } from '../../src/core/types.js'
import { catchUp } from './catch-up.js'
import {
  createDiscordBot,
  type DiscordBot,
  type DiscordBotOptions,
  type DiscordClientBot,
} from './discord-bot.js'
import { DiscordMessenger } from './discord-messenger.js'
import { type ShardMembership, ShardOwnership } from './shard-ownership.js'
import { shardOfGuild } from './shard-plan.js'

export interface ShardedDiscordBotDeps {
  readonly core: ChatCore
  readonly log: Logger
  readonly membership: ShardMembership
  readonly leases: Pick<LeaseStore, 'held'>
  readonly inbox: Inbox
  readonly activity: ChannelActivity
}

export interface ShardedDiscordBotOptions extends Omit<DiscordBotOptions, 'shards'> {
  /** DISCORD_SHARDS: `auto` (what `GET /gateway/bot` recommends) or a count. */
  readonly shardCount: number | 'auto'
  /** DISCORD_CATCHUP_MS */
  readonly catchupMs: number
  /** REPLICA_TIMEOUT_MS: how long a catch-up claim lasts unrenewed. */
  readonly claimTtlMs: number
}

export interface ShardedDiscordBot extends DiscordBot {
  /** Shards this replica runs now. */
  shards(): number[]
  /** The total shard count (known after `start`). */
  readonly shardCount: number | undefined
  /** Resolves when the catch-ups started so far are done (tests, benchmarks). */
  caughtUp(): Promise<void>
}

/**
 * The Discord adapter across replicas: one discord.js client per gateway shard this replica
 * owns (`shards: [id]`, `shardCount: N`), started and stopped as `ShardOwnership` takes and
 * gives back shard leases. A client per shard keeps a takeover from touching the shards that
 * keep running; each has its own REST queue, which is safe because Discord's per-route limits
 * are per channel and a channel lives on one shard. Direct messages to users (notices) go
 * through one of this replica's shard clients.
 */
export function createShardedDiscordBot(
  deps: ShardedDiscordBotDeps,
  options: ShardedDiscordBotOptions,
): ShardedDiscordBot {
  const log = deps.log.child({ component: 'discord' })
  const rest = new Client({
    intents: [],
    ...(options.apiUrl ? { rest: { api: options.apiUrl } } : {}),
  })
  rest.rest.setToken(options.token)
  const bots = new Map<number, DiscordClientBot>()
  const catchUps = new Set<Promise<unknown>>()
  let ownership: ShardOwnership | undefined
  let count: number | undefined

  function noteAddressed(message: Message, total: number): void {
    const key = shardKey(shardOfGuild(message.guildId, total), total)
    void deps.activity
      .note(message.channelId, key, message.id)
      .catch((err: unknown) => log.warn({ err }, 'could not note an active channel'))
  }

  function runner(total: number) {
    return {
      async start(shardId: number): Promise<void> {
        const bot = createDiscordBot(
          { core: deps.core, log, onAddressed: (m) => noteAddressed(m, total) },
          { ...options, shards: { ids: [shardId], count: total }, registerCommands: shardId === 0 },
        )
        bots.set(shardId, bot)
        await bot.start()
        if (bots.get(shardId) !== bot) return
        const work = catchUp(
          {
            inbox: deps.inbox,
            activity: deps.activity,
            holder: deps.membership.id,
            claimTtlMs: options.claimTtlMs,
            log,
          },
          { bot, shardId, shardCount: total, catchupMs: options.catchupMs },
        ).catch((err: unknown) => log.warn({ err, shardId }, 'discord catch-up failed'))
        catchUps.add(work)
        void work.finally(() => catchUps.delete(work))
      },
      async stop(shardId: number, lost: boolean): Promise<void> {
        const bot = bots.get(shardId)
        if (!bot) return
        bots.delete(shardId)
        await bot.stop(lost ? 0 : undefined)
      },
    }
  }

  async function shardCount(): Promise<number> {
    if (options.shardCount !== 'auto') return options.shardCount
    const info = (await new REST({ ...(options.apiUrl ? { api: options.apiUrl } : {}) })
      .setToken(options.token)
      .get(Routes.gatewayBot())) as APIGatewayBotInfo
    return Math.max(1, info.shards)
  }

  const restMessenger = new DiscordMessenger({ client: rest, log })
  // A connected client sends DMs best (discord.js needs the logged-in user for DM channels);
  // shard 0 carries the DMs, any other shard's client works as well.
  const messenger: PlatformMessenger = {
    platform: 'discord',
    sendDirect(userId, notice) {
      const bot = bots.get(0) ?? [...bots.values()][0]
      return (bot?.messenger ?? restMessenger).sendDirect(userId, notice)
    },
  }

  return {
    messenger,
    get shardCount() {
      return count
    },
    shards: () => ownership?.running() ?? [],
    async caughtUp() {
      await Promise.all([...catchUps])
    },
    async start() {
      count = await shardCount()
      ownership = new ShardOwnership(
        { membership: deps.membership, leases: deps.leases, runner: runner(count), log },
        count,
      )
      log.info({ shardCount: count }, 'discord: taking this replica’s share of the shards')
      await ownership.start()
    },
    async stopIntake() {
      await Promise.all([...bots.values()].map((bot) => bot.stopIntake()))
    },
    async stop() {
      await ownership?.stop()
      await Promise.allSettled([...catchUps])
      await rest.destroy()
    },
    health(): ComponentHealth {
      const running = ownership?.running() ?? []
      const down = running.filter((id) => bots.get(id)?.health().status !== 'up')
      if (!ownership || down.length > 0) {
        return {
          name: 'discord',
          status: 'down',
          essential: false,
          detail: ownership ? `shards not connected: ${down.join(', ')}` : 'gateway not connected',
        }
      }
      return {
        name: 'discord',
        status: 'up',
        essential: false,
        detail:
          running.length > 0
            ? `shards ${running.join(', ')} of ${count}`
            : `no shard here (other replicas run all ${count})`,
      }
    },
  }
}
