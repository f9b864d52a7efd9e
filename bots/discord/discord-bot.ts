import { Client, Events, GatewayIntentBits, type Message, Partials } from 'discord.js'
import type { ChatCore } from '../../src/core/chat-core.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { PlatformMessenger } from '../../src/core/ports/messenger.js'
import type { ComponentHealth } from '../../src/core/types.js'
import { InFlight } from '../shared/in-flight.js'
import { RecentIds } from '../shared/recent-ids.js'
import { toDiscordCommandData } from './command-data.js'
import { CustomIdCodec } from './custom-id.js'
import type { DiscordContext } from './discord-context.js'
import { DiscordMessenger } from './discord-messenger.js'
import { EditScheduler } from './edit-scheduler.js'
import { handleInteraction } from './interaction-handler.js'
import { handleMessage } from './message-handler.js'
import { WebhookRegistry } from './webhook-registry.js'

export interface DiscordBotDeps {
  readonly core: ChatCore
  readonly log: Logger
  /** Called for each message addressed to the bot (where a catch-up will look later). */
  readonly onAddressed?: ((message: Message) => void) | undefined
}

export interface DiscordBotOptions {
  /** DISCORD_TOKEN */
  readonly token: string
  /** DISCORD_GUILD_ID: register commands to this server only (instant), else globally. */
  readonly guildId?: string | undefined
  /** DISCORD_API_URL: REST base; the gateway URL then comes from its `/gateway/bot`. */
  readonly apiUrl?: string | undefined
  /** DISCORD_MESSAGE_CONTENT: request the privileged Message Content intent. */
  readonly messageContent: boolean
  /** Discord's per-channel write window: 5 writes per this many ms (default 5000). */
  readonly editWindowMs?: number | undefined
  /** How long `stop()` waits for in-flight replies to make their final edit (default 5000). */
  readonly stopTimeoutMs?: number | undefined
  /** How long `start()` waits for the gateway to be ready (default 30000). */
  readonly readyTimeoutMs?: number | undefined
  /** The gateway shards this client runs, of `count` in all (default: the one shard of 1). */
  readonly shards?: { readonly ids: readonly number[]; readonly count: number } | undefined
  /** Register the slash commands after connecting (default true). */
  readonly registerCommands?: boolean | undefined
}

export interface DiscordBot {
  /** Logs in, waits for the gateway to be ready and registers the slash commands. */
  start(): Promise<void>
  /** The first step of a drain: stop taking new work (see `stopIntake` in the Telegram bot). */
  stopIntake(): Promise<void>
  /**
   * Cancels generations, lets their final edits land (within `graceMs`, default
   * `stopTimeoutMs`), then disconnects.
   */
  stop(graceMs?: number): Promise<void>
  /** Sends direct messages (notices) to Discord users. */
  readonly messenger: PlatformMessenger
  /** Up while the gateway connection is ready. */
  health(): ComponentHealth
}

/** One discord.js client and what its handlers share (a catch-up answers through it too). */
export interface DiscordClientBot extends DiscordBot {
  readonly context: DiscordContext
}

/** The Discord adapter: maps gateway events to the core and renders its answers. */
export function createDiscordBot(
  deps: DiscordBotDeps,
  options: DiscordBotOptions,
): DiscordClientBot {
  const log = deps.log.child({ component: 'discord' })
  const intents = [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.DirectMessages,
    ...(options.messageContent ? [GatewayIntentBits.MessageContent] : []),
  ]
  const client = new Client({
    intents,
    partials: [Partials.Channel],
    allowedMentions: { parse: [], repliedUser: false },
    ...(options.apiUrl ? { rest: { api: options.apiUrl } } : {}),
    ...(options.shards
      ? { shards: [...options.shards.ids], shardCount: options.shards.count }
      : {}),
  })
  const scheduler = new EditScheduler({ windowMs: options.editWindowMs })
  const ctx: DiscordContext = {
    core: deps.core,
    log,
    client,
    scheduler,
    codec: new CustomIdCodec(),
    webhooks: new WebhookRegistry({ log }, { applicationId: () => client.application?.id }),
    ownMessages: new RecentIds<string>(),
    inflight: new InFlight(),
    toldAboutPermissions: new Set(),
    handled: new RecentIds<string>(),
    onAddressed: deps.onAddressed,
  }
  let stopping = false

  // Listeners stay synchronous; the handlers never reject.
  client.on(Events.MessageCreate, (message) => {
    if (!stopping) void handleMessage(ctx, message)
  })
  client.on(Events.InteractionCreate, (interaction) => {
    if (!stopping) void handleInteraction(ctx, interaction)
  })
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'))
  client.on(Events.Warn, (message) => log.warn({ detail: message }, 'discord client warning'))
  client.on(Events.ShardDisconnect, (event, shardId) =>
    log.warn({ code: event.code, shardId }, 'discord gateway disconnected'),
  )

  async function registerCommands(): Promise<void> {
    const application = client.application
    if (!application) throw new Error('Discord application is not known after ready')
    const data = deps.core.commands.map(toDiscordCommandData)
    if (options.guildId) await application.commands.set(data, options.guildId)
    else await application.commands.set(data)
    log.info(
      { count: data.length, scope: options.guildId ? 'guild' : 'global' },
      'discord commands registered',
    )
  }

  return {
    context: ctx,
    messenger: new DiscordMessenger({ client, log }),
    async start() {
      const timeoutMs = options.readyTimeoutMs ?? 30_000
      let timer: NodeJS.Timeout | undefined
      const ready = new Promise<void>((resolve, reject) => {
        client.once(Events.ClientReady, () => resolve())
        timer = setTimeout(
          () => reject(new Error(`Discord gateway not ready after ${timeoutMs} ms`)),
          timeoutMs,
        )
      })
      try {
        await client.login(options.token)
        await ready
      } catch (err) {
        await client.destroy()
        throw err
      } finally {
        clearTimeout(timer)
      }
      log.info(
        { user: client.user?.tag, guilds: client.guilds.cache.size, shards: options.shards?.ids },
        'discord bot ready',
      )
      if (options.registerCommands ?? true) await registerCommands()
    },
    async stopIntake() {
      // The gateway stays connected so replies in flight can finish their edits; new messages
      // still reach the core, which (closing) tells people the bot is restarting.
    },
    async stop(graceMs = options.stopTimeoutMs ?? 5_000) {
      stopping = true
      await ctx.inflight.drain(graceMs)
      scheduler.close()
      await client.destroy()
      log.info('discord bot stopped')
    },
    health(): ComponentHealth {
      const up = client.isReady()
      return {
        name: 'discord',
        status: up ? 'up' : 'down',
        essential: false,
        ...(up ? {} : { detail: 'gateway not connected' }),
      }
    },
  }
}
