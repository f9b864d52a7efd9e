import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pino } from 'pino'
import { type Config, ConfigError, configuredSecrets, loadConfig, readEnv } from './config.js'
import { createLogger } from './logger.js'
import { type RunningPlatform, startPlatform } from './platform.js'
import { NO_TERMINAL_CHAT, oneLine, StartupError, StartupReporter } from './startup-messages.js'

/** How long closing may take after the grace (final edits, server, database) before we exit anyway. */
const CLOSE_MARGIN_MS = 15_000
/** A repeated signal sooner than this is the same stop request delivered twice. */
const SECOND_SIGNAL_AFTER_MS = 1_000

function wantsConsole(config: Config): boolean {
  return (
    !config.DISCORD_TOKEN &&
    !config.TELEGRAM_BOT_TOKEN &&
    Boolean(process.stdin.isTTY) &&
    Boolean(process.stdout.isTTY)
  )
}

/** `npm start`: validate config, start everything configured, stop cleanly on a signal. */
async function main(): Promise<void> {
  let config: Config
  try {
    config = loadConfig(readEnv())
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(1)
    }
    throw err
  }

  const interactive = wantsConsole(config)
  // The terminal chat owns the screen: logs go to a file next to the data instead.
  let logFile: string | undefined
  if (interactive) {
    logFile = resolve(
      config.DATABASE_URL.startsWith('postgres') ? './data' : dirname(config.DATABASE_URL),
      'justlayme.log',
    )
    mkdirSync(dirname(logFile), { recursive: true })
  }
  const log = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    destination: logFile ? pino.destination({ dest: logFile, sync: false }) : undefined,
    secrets: configuredSecrets(config),
  })
  if (logFile) process.stdout.write(`Logs are written to ${logFile}\n`)

  // An error in one request or update is contained where it happens; one that escapes is
  // logged and the process keeps serving everyone else.
  process.on('unhandledRejection', (err) => {
    log.error({ err }, 'unhandled promise rejection')
  })

  // Problems the operator can fix get one human line: on the terminal when the chat owns it.
  const reporter = new StartupReporter(log, interactive ? process.stdout : undefined)

  let platform: RunningPlatform
  try {
    platform = await startPlatform(config, log, {
      console: interactive ? { input: process.stdin, output: process.stdout } : undefined,
      reporter,
    })
  } catch (err) {
    // One line the operator can act on; the stack only at debug level.
    const text = err instanceof Error ? err.message : String(err)
    const component = err instanceof StartupError ? err.component : undefined
    log.fatal({ component }, `start-up failed: ${oneLine(text)}`)
    log.debug({ err }, 'start-up failure details')
    log.flush()
    process.stderr.write(`Start-up failed: ${text}\n`)
    process.exit(1)
  }
  log.info('JustLayMe is running')
  if (!interactive && !config.DISCORD_TOKEN && !config.TELEGRAM_BOT_TOKEN) {
    reporter.notice('console', NO_TERMINAL_CHAT)
  }

  let exiting = false
  let firstSignalAt = 0
  const shutdown = (reason: string, signal = false) => {
    // `npm start` forwards the terminal's Ctrl-C, so the process sees it twice at once: only a
    // signal that comes a moment later is a deliberate second one.
    if (exiting && signal && Date.now() - firstSignalAt >= SECOND_SIGNAL_AFTER_MS) {
      // A second signal: the operator does not want to wait for the drain.
      log.warn({ reason }, 'second stop signal: exiting now without waiting for replies')
      log.flush()
      process.exit(1)
    }
    if (exiting) return
    exiting = true
    if (signal) firstSignalAt = Date.now()
    log.info({ reason }, 'shutting down')
    const hard = setTimeout(() => {
      log.error('shutdown took too long; exiting')
      log.flush()
      process.exit(1)
    }, config.SHUTDOWN_GRACE_MS + CLOSE_MARGIN_MS)
    hard.unref()
    platform.stop().then(
      () => {
        log.flush()
        process.exit(0)
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed')
        log.flush()
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT', true))
  process.on('SIGTERM', () => shutdown('SIGTERM', true))
  void platform.consoleEnded.then(() => shutdown('terminal chat ended'))
}

await main()
