import { createHmac } from 'node:crypto'
import type { Logger as PinoLogger } from 'pino'
import type { DiscordBot } from '../../bots/discord/discord-bot.js'
import { createShardedDiscordBot } from '../../bots/discord/sharded-discord-bot.js'
import { createTelegramBot, type TelegramBot } from '../../bots/telegram/telegram-bot.js'
import type { Config } from '../config.js'
import type { ChannelActivity } from '../coordination/channel-activity.js'
import type { Coordination } from '../coordination/create-coordination.js'
import type { ChatCore } from '../core/chat-core.js'
import type { AccountNotifier } from '../core/notifier.js'
import { botStartupProblem, type StartupReporter } from '../startup-messages.js'
import type { Stars } from './optional-subsystems.js'

export interface Bots {
  readonly telegram: TelegramBot | undefined
  readonly discord: DiscordBot | undefined
}

/** What the bots need to share their work with other replicas (Telegram polling, Discord shards). */
export interface DiscordShardDeps {
  readonly coordination: Coordination
  readonly activity: ChannelActivity
}

/** The bots whose tokens are set (not started yet). */
export function botsFrom(
  config: Config,
  core: ChatCore,
  log: PinoLogger,
  linkSecret: string,
  stars: Stars,
  shards: DiscordShardDeps,
): Bots {
  const telegram: TelegramBot | undefined = config.TELEGRAM_BOT_TOKEN
    ? createTelegramBot(
        {
          core,
          log,
          stars: stars.parts?.checkout,
          answerPreCheckout: stars.api?.answerPreCheckoutQuery,
          coordination: shards.coordination,
        },
        {
          token: config.TELEGRAM_BOT_TOKEN,
          apiRoot: config.TELEGRAM_API_ROOT,
          webhook: config.TELEGRAM_WEBHOOK,
          webhookSecret:
            config.TELEGRAM_WEBHOOK_SECRET ??
            createHmac('sha256', linkSecret).update('telegram-webhook').digest('hex'),
          publicUrl: config.PUBLIC_URL,
        },
      )
    : undefined
  const discord: DiscordBot | undefined = config.DISCORD_TOKEN
    ? createShardedDiscordBot(
        {
          core,
          log,
          membership: shards.coordination.membership,
          leases: shards.coordination.leases,
          inbox: shards.coordination.inbox,
          activity: shards.activity,
        },
        {
          token: config.DISCORD_TOKEN,
          guildId: config.DISCORD_GUILD_ID,
          apiUrl: config.DISCORD_API_URL,
          messageContent: config.DISCORD_MESSAGE_CONTENT,
          shardCount: config.DISCORD_SHARDS,
          catchupMs: config.DISCORD_CATCHUP_MS,
          claimTtlMs: config.REPLICA_TIMEOUT_MS,
        },
      )
    : undefined
  return { telegram, discord }
}

/** Starts each bot; one that fails is reported and the rest of the platform keeps running. */
export async function startBots(
  { telegram, discord }: Bots,
  notifier: AccountNotifier,
  reporter: StartupReporter,
): Promise<void> {
  for (const bot of [telegram, discord]) {
    if (!bot) continue
    try {
      await bot.start()
      notifier.register(bot.messenger)
    } catch (err) {
      // One line with the fix (bad token, no network); the error itself at debug level.
      const component = bot === telegram ? 'telegram' : 'discord'
      reporter.problem(component, botStartupProblem(component, err), err)
    }
  }
}
