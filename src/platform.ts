import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import type { Logger as PinoLogger } from 'pino'
import { Registry } from 'prom-client'
import { registerBuildInfo } from './build-info.js'
import type { Config } from './config.js'
import { SqlChannelActivity } from './coordination/sql-channel-activity.js'
import type { RunningChatCore } from './core/create-chat-core.js'
import { AccountNotifier } from './core/notifier.js'
import type { Stores } from './core/ports/stores.js'
import { ExportDirectory } from './files/export-directory.js'
import {
  createLlmGateway,
  type HostSlotsFactory,
  type LlmGateway,
} from './llm/create-llm-gateway.js'
import { createServer, type ServerPlugin } from './server/app.js'
import { reportOllamaAtStart, StartupReporter } from './startup-messages.js'
import { RetentionSweeper } from './storage/retention-sweeper.js'
import { DAY_MS, DEFAULT_RETENTION } from './storage/sql-retention.js'
import { botsFrom, startBots } from './wiring/bots.js'
import { buildChatCore } from './wiring/build-core.js'
import { llmGatewayOptionsFrom, serverOptionsFrom } from './wiring/config-options.js'
import { consoleAccessFrom, consoleFrom } from './wiring/console.js'
import { sharedGpuSlots, startCoordination } from './wiring/coordination.js'
import { healthOf, logDisabledParts } from './wiring/health.js'
import { instrumentChatCore } from './wiring/instrumented-chat-core.js'
import { loadPersonas, requiredModels } from './wiring/load-personas.js'
import { openStores } from './wiring/open-stores.js'
import { billingFrom, emailFrom, starsFrom } from './wiring/optional-subsystems.js'
import { openTerminalChat } from './wiring/terminal-chat.js'

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

/**
 * The composition root: builds every configured part once, wires them, listens, and
 * returns a handle that stops them in order. Parts whose variables are absent stay off.
 * Each step is a named function in `src/wiring/`.
 */
export async function startPlatform(
  config: Config,
  log: PinoLogger,
  io: PlatformIo = {},
): Promise<RunningPlatform> {
  const { database, stores, linkSecret, ownership } = await openStores(config, log)
  const coordination = await startCoordination(config, database, log)
  const exportFiles = new ExportDirectory(join(config.DATA_DIR, 'exports'))
  const registry = new Registry()
  const retention = new RetentionSweeper(
    { db: database.db, log: log.child({ component: 'retention' }) },
    { ...DEFAULT_RETENTION, mailRetentionMs: config.MAIL_RETENTION_DAYS * DAY_MS },
  )
  retention.start()
  registerBuildInfo(registry)
  const notifier = new AccountNotifier({
    accounts: stores.accounts,
    log: log.child({ component: 'notifier' }),
  })
  const email = emailFrom(config, { stores, log, registry, notifier })
  const slots = sharedGpuSlots(config, database, coordination, log)
  const llm = startLlmGateway(config, log, registry, email, slots)
  const personas = await loadPersonas(config, log)
  const billing = billingFrom(config, { stores, log, registry, notifier, email, linkSecret })
  const stars = starsFrom(config, { stores, log, registry, email, linkSecret })
  // The console's sign-in links and cross-site checks need a fixed address: with PORT=0 and
  // no PUBLIC_URL there is none, and the console stays off.
  const consoleAccess = config.PUBLIC_URL
    ? consoleAccessFrom(config, { database, stores, linkSecret })
    : undefined
  const core = buildChatCore(config, {
    console: consoleAccess,
    stores,
    llm,
    personas,
    billing: billing?.service,
    stars: stars.parts?.service,
    verification: email?.verification,
    exportFiles,
    log,
    replicas: coordination.membership,
  })
  const counted = instrumentChatCore(core, registry)
  const bots = botsFrom(config, counted, log, linkSecret, stars, {
    coordination,
    activity: new SqlChannelActivity(database.db, database.dialect),
  })

  const plugins: ServerPlugin[] = []
  if (billing) plugins.push({ plugin: billing.routes })
  if (email) plugins.push({ plugin: email.routes })
  if (bots.telegram && config.TELEGRAM_WEBHOOK) {
    plugins.push({ plugin: bots.telegram.webhookRoutes })
  }
  const health = healthOf({ stores, llm, email, billing, stars: stars.parts, ...bots })
  const operatorConsole = consoleAccess
    ? consoleFrom(config, {
        access: consoleAccess,
        database,
        stores,
        registry,
        personas,
        llm,
        core: counted,
        health,
        replicas: () => coordination.membership.live(),
        log,
      })
    : undefined
  if (operatorConsole) plugins.push(operatorConsole.plugin)
  else log.info('operator console off: PUBLIC_URL is needed with PORT=0')
  let draining = false
  const server = await createServer(
    {
      log,
      registry,
      plugins,
      metricsToken: config.METRICS_TOKEN,
      replicas: () => coordination.membership.live(),
      drain: () => ({ draining, repliesInFlight: core.inFlight() }),
      health,
    },
    serverOptionsFrom(config),
  )
  await server.listen({ host: config.HOST, port: config.PORT })
  // The port actually bound: PORT=0 lets the system pick a free one.
  const address = server.server.address()
  const port = typeof address === 'object' && address ? address.port : config.PORT
  log.info(
    { url: config.PUBLIC_URL || `http://localhost:${port}`, host: config.HOST, port },
    'HTTP server listening',
  )
  logDisabledParts({ email, billing, ...bots }, log)

  // Slow or failing start-up work (model checks, SMTP verification) never blocks serving.
  const background: Promise<unknown>[] = [llm.start(requiredModels(config, personas))]
  if (email) background.push(email.start())
  if (stars.api) {
    background.push(
      stars.api.warm().catch((err: unknown) => {
        log.warn({ err, component: 'stars' }, 'could not open the Telegram payments connection yet')
      }),
    )
  }
  const reporter = io.reporter ?? new StartupReporter(log)
  background.push(
    reportOllamaAtStart(reporter, config.OLLAMA_HOSTS, config.OLLAMA_MODEL, {
      autoPull: config.OLLAMA_AUTO_PULL,
    }),
  )
  await startBots(bots, notifier, reporter)
  const terminal = openTerminalChat(io.console, counted, log, exportFiles.dir, config)

  let stopping: Promise<void> | undefined
  return {
    url: `http://${config.HOST}:${port}`,
    core,
    stores,
    consoleEnded: terminal.ended,
    stop() {
      stopping ??= (async () => {
        draining = true
        await coordination.membership.setDraining()
        log.info(
          { repliesInFlight: core.inFlight(), graceMs: config.SHUTDOWN_GRACE_MS },
          'draining: no new work; replies in flight may finish within SHUTDOWN_GRACE_MS',
        )
        terminal.stop()
        await Promise.allSettled([bots.telegram?.stopIntake(), bots.discord?.stopIntake()])
        await core.close(config.SHUTDOWN_GRACE_MS)
        // The cut replies' last edits (with the restart line) land before the bots disconnect.
        await Promise.allSettled([bots.discord?.stop(), bots.telegram?.stop()])
        await server
          .close()
          .catch((err: unknown) => log.error({ err }, 'closing the HTTP server failed'))
        await Promise.allSettled([
          billing?.close(),
          email?.close(),
          llm.close(),
          personas.close(),
          retention.stop(),
          operatorConsole?.stop(),
        ])
        await Promise.race([Promise.allSettled(background), new Promise((r) => setTimeout(r, 500))])
        await coordination.close()
        await database.destroy()
        ownership?.release()
        log.info('stopped')
      })()
      return stopping
    },
  }
}

/** The LLM gateway; an Ollama host that stays unreachable is emailed to the operator. */
function startLlmGateway(
  config: Config,
  log: PinoLogger,
  registry: Registry,
  email: ReturnType<typeof emailFrom>,
  slots: HostSlotsFactory | undefined,
): LlmGateway {
  return createLlmGateway(
    { log, registry, slots },
    {
      ...llmGatewayOptionsFrom(config),
      onHostUnreachable: email
        ? (host, downForMs) => void email.notifyOllamaUnreachable(host, downForMs)
        : undefined,
    },
  )
}
