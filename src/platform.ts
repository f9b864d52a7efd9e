import { createHmac, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import type { Logger as PinoLogger } from 'pino'
import { Registry } from 'prom-client'
import { runConsoleChat } from '../bots/console/console-chat.js'
import { ollamaOperatorMessages } from '../bots/console/ollama-check.js'
import { createDiscordBot, type DiscordBot } from '../bots/discord/discord-bot.js'
import { createTelegramStarsApi } from '../bots/telegram/stars-api.js'
import { createTelegramBot, type TelegramBot } from '../bots/telegram/telegram-bot.js'
import { commands } from '../commands/index.js'
import { type Billing, createBilling } from './billing/create-billing.js'
import { createStarsBilling, type StarsBillingParts } from './billing/create-stars-billing.js'
import { SubscriptionEntitlements } from './billing/subscription-entitlements.js'
import { registerBuildInfo } from './build-info.js'
import { chatCoreOptionsFrom, llmGatewayOptionsFrom } from './chat.js'
import type { Config } from './config.js'
import { consoleUserId } from './console-user.js'
import { createChatCore, type RunningChatCore } from './core/create-chat-core.js'
import { AccountNotifier } from './core/notifier.js'
import type { Stores } from './core/ports/stores.js'
import { createEmail, type Email } from './email/create-email.js'
import { ExportDirectory } from './files/export-directory.js'
import { instrumentChatCore } from './instrumented-chat-core.js'
import { createLlmGateway, type LlmGateway } from './llm/create-llm-gateway.js'
import { claimSqliteOrExplain, openDatabase } from './open-database.js'
import { FilePersonaRepository } from './personas/file-persona-repository.js'
import { disabled, ollamaHealth, pingWithin } from './platform-health.js'
import { createServer, type ServerPlugin } from './server/app.js'
import { botStartupProblem, reportOllamaAtStart, StartupReporter } from './startup-messages.js'
import { dialectOf } from './storage/create-database.js'
import { createSqlStores } from './storage/sql-stores.js'

export interface PlatformIo {
  /** Open the terminal chat (no bot token and an interactive terminal). */
  readonly console?: { readonly input: Readable; readonly output: Writable } | undefined
  /** Where operator-facing start-up problems go (the terminal, else one log line each). */
  readonly reporter?: StartupReporter | undefined
}

export interface RunningPlatform {
  readonly url: string
  readonly core: RunningChatCore
  readonly stores: Stores
  /** Resolves when the terminal chat ended (never, without one). */
  readonly consoleEnded: Promise<void>
  /**
   * Drains: stops intake at once (`/health/ready` answers 503), lets replies in flight finish
   * within SHUTDOWN_GRACE_MS, cuts the rest (stored as partial, shown with a restart line and
   * Regenerate), then closes everything.
   */
  stop(): Promise<void>
}

const LINK_SECRET_KEY = 'link_secret'

/**
 * The composition root: builds every configured part once, wires them, listens, and
 * returns a handle that stops them in order. Parts whose variables are absent stay off.
 */
export async function startPlatform(
  config: Config,
  log: PinoLogger,
  io: PlatformIo = {},
): Promise<RunningPlatform> {
  // SQLite serves one process: a second one on the same file stops here, naming the first.
  const ownership =
    dialectOf(config.DATABASE_URL) === 'sqlite' && config.DATABASE_URL !== ':memory:'
      ? claimSqliteOrExplain(config.DATABASE_URL)
      : undefined
  const reporter = io.reporter ?? new StartupReporter(log)
  const database = await openDatabase(config.DATABASE_URL, log).catch((err: unknown) => {
    ownership?.release()
    throw err
  })
  const stores = createSqlStores(database.db, {
    scrub: () => database.scrub(),
    onScrubError: (err) => log.error({ err }, 'scrubbing the database after a merge failed'),
  })
  const exportFiles = new ExportDirectory(join(config.DATA_DIR, 'exports'))
  const linkSecret =
    config.LINK_SECRET ??
    (await stores.kv.setIfAbsent(LINK_SECRET_KEY, randomBytes(32).toString('hex')))
  const registry = new Registry()
  registerBuildInfo(registry)
  const notifier = new AccountNotifier({
    accounts: stores.accounts,
    log: log.child({ component: 'notifier' }),
  })

  const email: Email | undefined = config.SMTP_URL
    ? createEmail(
        { stores, log, registry, notifier },
        {
          smtpUrl: config.SMTP_URL,
          from: config.SMTP_FROM,
          adminEmail: config.ADMIN_EMAIL,
          publicUrl: config.PUBLIC_URL,
        },
      )
    : undefined

  const llm: LlmGateway = createLlmGateway(
    { log, registry },
    {
      ...llmGatewayOptionsFrom(config),
      onHostUnreachable: email
        ? (host, downForMs) => void email.notifyOllamaUnreachable(host, downForMs)
        : undefined,
    },
  )

  const personas = new FilePersonaRepository(
    { log: log.child({ component: 'personas' }) },
    { dir: config.PERSONAS_DIR, defaultModel: config.OLLAMA_MODEL },
  )
  const loaded = await personas.reload()
  log.info(
    { personas: loaded.loaded, skipped: loaded.errors.length, dir: config.PERSONAS_DIR },
    'personas loaded',
  )
  personas.watch()

  const entitlements = new SubscriptionEntitlements(
    { stores },
    { graceDays: config.BILLING_GRACE_DAYS },
  )
  const billing: Billing | undefined =
    config.STRIPE_SECRET_KEY && config.STRIPE_WEBHOOK_SECRET && config.STRIPE_PRICE_ID
      ? createBilling(
          { stores, log, registry, notifier, emails: email?.emails },
          {
            secretKey: config.STRIPE_SECRET_KEY,
            webhookSecret: config.STRIPE_WEBHOOK_SECRET,
            priceId: config.STRIPE_PRICE_ID,
            apiUrl: config.STRIPE_API_URL,
            publicUrl: config.PUBLIC_URL,
            linkSecret,
            graceDays: config.BILLING_GRACE_DAYS,
          },
        )
      : undefined

  const starsApi =
    config.TELEGRAM_STARS_PRICE !== undefined && config.TELEGRAM_BOT_TOKEN
      ? createTelegramStarsApi({
          token: config.TELEGRAM_BOT_TOKEN,
          apiRoot: config.TELEGRAM_API_ROOT,
        })
      : undefined
  const stars: StarsBillingParts | undefined =
    config.TELEGRAM_STARS_PRICE !== undefined && starsApi
      ? createStarsBilling(
          {
            stores,
            api: starsApi,
            log,
            registry,
            emails: email?.emails,
          },
          { price: config.TELEGRAM_STARS_PRICE, mode: config.TELEGRAM_SUBSCRIBE, linkSecret },
        )
      : undefined

  const core = createChatCore(
    {
      stores,
      llm,
      personas,
      entitlements,
      grants: entitlements,
      billing: billing?.service,
      stars: stars?.service,
      verification: email?.verification,
      commands,
      exportFiles,
      log,
    },
    chatCoreOptionsFrom(config),
  )
  const counted = instrumentChatCore(core, registry)

  const telegram: TelegramBot | undefined = config.TELEGRAM_BOT_TOKEN
    ? createTelegramBot(
        {
          core: counted,
          log,
          stars: stars?.checkout,
          answerPreCheckout: starsApi?.answerPreCheckoutQuery,
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
    ? createDiscordBot(
        { core: counted, log },
        {
          token: config.DISCORD_TOKEN,
          guildId: config.DISCORD_GUILD_ID,
          apiUrl: config.DISCORD_API_URL,
          messageContent: config.DISCORD_MESSAGE_CONTENT,
        },
      )
    : undefined

  const plugins: ServerPlugin[] = []
  if (billing) plugins.push({ plugin: billing.routes })
  if (email) plugins.push({ plugin: email.routes })
  if (telegram && config.TELEGRAM_WEBHOOK) plugins.push({ plugin: telegram.webhookRoutes })

  let draining = false
  const server = await createServer({
    log,
    registry,
    plugins,
    metricsToken: config.METRICS_TOKEN,
    drain: () => ({ draining, repliesInFlight: core.inFlight() }),
    health: async () => {
      const [db, hosts] = await Promise.all([pingWithin(stores, 2_000), llm.health()])
      return [
        db,
        ollamaHealth(hosts),
        email ? email.health() : disabled('mail', 'set SMTP_URL to enable email'),
        billing
          ? billing.health()
          : disabled('stripe', 'set STRIPE_SECRET_KEY to enable subscriptions'),
        stars
          ? stars.health()
          : disabled('telegram stars', 'set TELEGRAM_STARS_PRICE to sell premium in Telegram'),
        discord ? discord.health() : disabled('discord', 'set DISCORD_TOKEN to enable'),
        telegram ? telegram.health() : disabled('telegram', 'set TELEGRAM_BOT_TOKEN to enable'),
      ]
    },
  })
  await server.listen({ host: config.HOST, port: config.PORT })
  log.info(
    { url: config.PUBLIC_URL, host: config.HOST, port: config.PORT },
    'HTTP server listening',
  )

  if (!discord) log.info('Discord is disabled: set DISCORD_TOKEN to enable it')
  if (!telegram) log.info('Telegram is disabled: set TELEGRAM_BOT_TOKEN to enable it')
  if (!billing)
    log.info(
      'Subscriptions are disabled: set STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_PRICE_ID to enable them',
    )
  if (!email) log.info('Email is disabled: set SMTP_URL (and SMTP_FROM) to enable it')

  // Slow or failing start-up work (model checks, SMTP verification) never blocks serving.
  const background: Promise<unknown>[] = [
    llm.start([
      ...new Set([
        config.OLLAMA_MODEL,
        ...personas.list().flatMap((p) => (p.model ? [p.model] : [])),
      ]),
    ]),
  ]
  if (email) background.push(email.start())
  background.push(
    reportOllamaAtStart(reporter, config.OLLAMA_HOSTS, config.OLLAMA_MODEL, {
      autoPull: config.OLLAMA_AUTO_PULL,
    }),
  )
  if (starsApi) {
    background.push(
      starsApi.warm().catch((err: unknown) => {
        log.warn({ err, component: 'stars' }, 'could not open the Telegram payments connection yet')
      }),
    )
  }

  for (const bot of [telegram, discord]) {
    if (!bot) continue
    try {
      await bot.start()
      notifier.register(bot.messenger)
    } catch (err) {
      const component = bot === telegram ? 'telegram' : 'discord'
      reporter.problem(component, botStartupProblem(component, err), err)
    }
  }

  let consoleStop: AbortController | undefined
  let consoleEnded: Promise<void> = new Promise<void>(() => {})
  if (io.console) {
    consoleStop = new AbortController()
    consoleEnded = runConsoleChat(
      { core: counted, log },
      {
        input: io.console.input,
        output: io.console.output,
        userId: consoleUserId(),
        signal: consoleStop.signal,
        fileDir: exportFiles.dir,
        adultAllowed: config.CONSOLE_ADMIN,
        operatorMessages: ollamaOperatorMessages(config.OLLAMA_HOSTS, config.OLLAMA_MODEL),
        banner:
          'No Discord or Telegram token is configured, so here is the terminal chat.\n' +
          'Connect the bots by setting DISCORD_TOKEN or TELEGRAM_BOT_TOKEN in .env (see README).',
      },
    ).catch((err: unknown) => {
      log.error({ err }, 'terminal chat failed')
    })
  }

  let stopping: Promise<void> | undefined
  return {
    url: `http://${config.HOST}:${config.PORT}`,
    core,
    stores,
    consoleEnded,
    stop() {
      stopping ??= (async () => {
        draining = true
        log.info(
          { repliesInFlight: core.inFlight(), graceMs: config.SHUTDOWN_GRACE_MS },
          'draining: no new work; replies in flight may finish within SHUTDOWN_GRACE_MS',
        )
        consoleStop?.abort()
        await Promise.allSettled([telegram?.stopIntake(), discord?.stopIntake()])
        await core.close(config.SHUTDOWN_GRACE_MS)
        // The cut replies' last edits (with the restart line) land before the bots disconnect.
        await Promise.allSettled([discord?.stop(), telegram?.stop()])
        await server
          .close()
          .catch((err: unknown) => log.error({ err }, 'closing the HTTP server failed'))
        await Promise.allSettled([billing?.close(), email?.close(), llm.close(), personas.close()])
        await Promise.race([Promise.allSettled(background), new Promise((r) => setTimeout(r, 500))])
        await database.destroy()
        ownership?.release()
        log.info('stopped')
      })()
      return stopping
    },
  }
}
