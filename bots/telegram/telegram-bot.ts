import { autoRetry } from '@grammyjs/auto-retry'
import type { FastifyPluginAsync } from 'fastify'
import { Bot, BotError } from 'grammy'
import type { Update } from 'grammy/types'
import type { Coordination } from '../../src/coordination/create-coordination.js'
import type { ChatCore } from '../../src/core/chat-core.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { PlatformMessenger } from '../../src/core/ports/messenger.js'
import type { StarsCheckout } from '../../src/core/ports/stars.js'
import type { ComponentHealth } from '../../src/core/types.js'
import { InFlight } from '../shared/in-flight.js'
import { InboxDispatcher } from '../shared/inbox-dispatcher.js'
import { CallbackCodec } from './callback-data.js'
import { ChatAdmins } from './chat-admins.js'
import { EditPacer } from './edit-pacer.js'
import type { PreCheckoutAnswerSender } from './payment-handlers.js'
import { logPollingFailures } from './polling-failures.js'
import { telegramCommandList } from './register-commands.js'
import type { TelegramContext } from './telegram-context.js'
import { TelegramFiles } from './telegram-files.js'
import { answeredAtOnce, inboxEntryOf, UpdateJobs } from './telegram-inbox.js'
import { TelegramPoller } from './telegram-poller.js'
import { TelegramSender } from './telegram-sender.js'
import { installHandlers } from './update-handlers.js'
import { TELEGRAM_WEBHOOK_PATH, telegramWebhookRoutes } from './webhook-routes.js'

export interface TelegramBotDeps {
  readonly core: ChatCore
  readonly log: Logger
  /** Telegram Stars checkout (TELEGRAM_STARS_PRICE): pre-checkout answers and payments. */
  readonly stars?: StarsCheckout | undefined
  /** Sends pre-checkout answers on the payments client (`createTelegramStarsApi`). */
  readonly answerPreCheckout?: PreCheckoutAnswerSender | undefined
  /** The inbox, this replica and its leases: updates are recorded, then handled from there. */
  readonly coordination: Pick<Coordination, 'membership' | 'inbox' | 'bus' | 'cursors'>
}

export interface TelegramBotOptions {
  /** TELEGRAM_BOT_TOKEN */
  readonly token: string
  /** TELEGRAM_API_ROOT: a self-hosted Bot API server, or a local double in tests. */
  readonly apiRoot?: string | undefined
  /** TELEGRAM_WEBHOOK */
  readonly webhook: boolean
  /** TELEGRAM_WEBHOOK_SECRET: required when `webhook` is true. */
  readonly webhookSecret?: string | undefined
  /** PUBLIC_URL: the webhook is `${publicUrl}/webhooks/telegram`. */
  readonly publicUrl: string
  readonly privateEditIntervalMs?: number
  readonly groupEditsPerMinute?: number
  /** How long `stop()` lets running replies finish before cancelling them. */
  readonly stopGraceMs?: number
}

export interface TelegramBot {
  /** getMe, setMyCommands (private and group scopes), then long polling or setWebhook. Throws when Telegram refuses the token. */
  start(): Promise<void>
  /**
   * The first step of a drain: stop polling and answer webhook calls 503, so updates not yet
   * received stay with Telegram and arrive after the restart.
   */
  stopIntake(): Promise<void>
  /** Stops receiving updates; running replies get `stopGraceMs` to finish their final edit. */
  stop(): Promise<void>
  readonly messenger: PlatformMessenger
  health(): ComponentHealth
  /** POST /webhooks/telegram, for the HTTP server when `webhook` is true. */
  readonly webhookRoutes: FastifyPluginAsync
}

/** `successful_payment` and `refunded_payment` arrive as messages; checkout as its own type. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'pre_checkout_query'] as const

/**
 * Builds the Telegram adapter: a grammY bot with auto-retry and the handlers that map updates
 * to the core. Updates are recorded in the inbox (by the one polling replica, or by whichever
 * replica a webhook call reaches) and handled from there by every replica, each chat in order.
 * Nothing talks to Telegram before `start()`.
 */
export function createTelegramBot(deps: TelegramBotDeps, options: TelegramBotOptions): TelegramBot {
  const log = deps.log.child({ component: 'telegram' })
  const apiRoot = options.apiRoot?.replace(/\/+$/, '')
  const bot = new Bot(options.token, { client: apiRoot ? { apiRoot } : {} })
  // Logs each failed poll (token scrubbed from fetch errors), so it goes in before auto-retry.
  bot.api.config.use(logPollingFailures(log, options.token))
  // A flooded chat can answer 429 many times in a row: each is waited out, so a reply is
  // delayed, never dropped. The bound only stops a request that Telegram never accepts.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 50, maxDelaySeconds: 900 }))

  const sender = new TelegramSender({ api: bot.api, log })
  const inFlight = new InFlight()
  const tg: TelegramContext = {
    core: deps.core,
    api: bot.api,
    log,
    sender,
    pacer: new EditPacer({
      privateIntervalMs: options.privateEditIntervalMs,
      groupEditsPerMinute: options.groupEditsPerMinute,
    }),
    codec: new CallbackCodec(() => deps.core.commands),
    admins: new ChatAdmins({ api: bot.api, log }),
    files: new TelegramFiles(bot.api, { token: options.token, apiRoot }),
    inFlight,
  }

  const jobs = new UpdateJobs()
  installHandlers(bot, tg, deps, jobs)

  const { membership, inbox, bus, cursors } = deps.coordination
  const dispatcher = new InboxDispatcher({
    inbox,
    bus,
    platform: 'telegram',
    holder: membership.id,
    ttlMs: membership.timeoutMs,
    log,
    handle: (entry, work) => jobs.handle(bot, tg, entry, work),
  })
  const poller = new TelegramPoller(
    {
      api: bot.api,
      membership,
      inbox,
      cursors,
      log,
      recorded: () => dispatcher.announce(),
      direct: (update) => handleAtOnce(update),
      token: options.token,
    },
    { allowedUpdates: ALLOWED_UPDATES },
  )
  let state: { status: ComponentHealth['status']; detail?: string } = {
    status: 'down',
    detail: 'not started',
  }
  let ready = false

  function handleAtOnce(update: Update): void {
    inFlight.track(
      bot.handleUpdate(update).catch(async (err: unknown) => {
        if (err instanceof BotError) await bot.errorHandler(err)
        else log.error({ err, updateId: update.update_id }, 'telegram update failed')
      }),
    )
  }

  /** A webhook call: answered 200 only once the update is recorded (else Telegram retries). */
  const recordUpdate = async (update: Update) => {
    if (answeredAtOnce(update)) {
      handleAtOnce(update)
      return
    }
    const fresh = await inbox.record([inboxEntryOf(update)])
    if (fresh.length > 0) await dispatcher.announce()
    else log.debug({ updateId: update.update_id }, 'telegram webhook: duplicate update dropped')
  }

  async function registerCommands(): Promise<void> {
    const commands = telegramCommandList(deps.core.commands)
    try {
      await bot.api.setMyCommands(commands, { scope: { type: 'all_private_chats' } })
      await bot.api.setMyCommands(commands, { scope: { type: 'all_group_chats' } })
    } catch (err) {
      log.warn({ err }, 'telegram setMyCommands failed; commands still work when typed')
    }
  }

  async function stopIntake(): Promise<void> {
    // Webhook calls now answer 503, so Telegram delivers them again (to another replica or
    // after the restart); the poller lease goes to another replica at once.
    ready = false
    await poller.stop()
    // Entries not claimed yet stay in the inbox for another replica or the restart.
    await dispatcher.stopClaiming()
  }

  return {
    messenger: {
      platform: 'telegram',
      async sendDirect(platformUserId, notice) {
        try {
          await sender.sendText({ chatId: Number(platformUserId), isGroup: false }, notice.text, {
            links: notice.links,
          })
          return true
        } catch (err) {
          log.warn({ err }, 'telegram direct message failed')
          return false
        }
      },
    },

    webhookRoutes: telegramWebhookRoutes(
      { log, record: recordUpdate, ready: () => ready },
      { secretToken: options.webhookSecret },
    ),

    health(): ComponentHealth {
      if (ready && !options.webhook) {
        if (poller.state === 'refused') {
          return { name: 'telegram', essential: false, status: 'down', detail: poller.detail }
        }
        if (poller.state === 'conflict') {
          const detail = 'getUpdates refused (409): another process polls or a webhook is set'
          return { name: 'telegram', essential: false, status: 'down', detail }
        }
        const detail = poller.state === 'polling' ? 'polling' : 'standby: another replica polls'
        return { name: 'telegram', essential: false, status: 'up', detail }
      }
      return { name: 'telegram', essential: false, ...state }
    },

    async start() {
      if (options.webhook && !options.webhookSecret) {
        throw new Error('TELEGRAM_WEBHOOK=true needs a webhook secret (TELEGRAM_WEBHOOK_SECRET)')
      }
      try {
        await bot.init()
      } catch (err) {
        state = {
          status: 'down',
          detail: 'getMe failed (check TELEGRAM_BOT_TOKEN / TELEGRAM_API_ROOT)',
        }
        throw err
      }
      ready = true
      await registerCommands()
      dispatcher.start()
      if (options.webhook) {
        const url = `${options.publicUrl.replace(/\/+$/, '')}${TELEGRAM_WEBHOOK_PATH}`
        await bot.api.setWebhook(url, {
          secret_token: options.webhookSecret,
          allowed_updates: [...ALLOWED_UPDATES],
        })
        log.info({ username: bot.botInfo.username, url }, 'telegram webhook set')
      } else {
        await bot.api.deleteWebhook()
        await poller.start()
        log.info({ username: bot.botInfo.username }, 'telegram long polling started')
      }
      state = { status: 'up' }
    },

    stopIntake,

    async stop() {
      await stopIntake()
      await inFlight.drain(options.stopGraceMs ?? 10_000)
      // Each handled entry is finished, or released when its turn never began.
      await dispatcher.settle()
      state = { status: 'down', detail: 'stopped' }
      log.info('telegram stopped')
    },
  }
}
