import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { Registry } from 'prom-client'
import { runConsoleChat } from '../bots/console/console-chat.js'
import {
  checkOllama,
  modelMissingMessage,
  ollamaOperatorMessages,
} from '../bots/console/ollama-check.js'
import { commands } from '../commands/index.js'
import { SubscriptionEntitlements } from './billing/subscription-entitlements.js'
import { ConfigError, loadConfig, readEnv } from './config.js'
import { consoleUserId, withConsoleAdmin } from './console-user.js'
import { createChatCore } from './core/create-chat-core.js'
import { ExportDirectory } from './files/export-directory.js'
import { createLlmGateway, type LlmGatewayOptions } from './llm/create-llm-gateway.js'
import { createLogger } from './logger.js'
import { FilePersonaRepository } from './personas/file-persona-repository.js'
import { createDatabase } from './storage/create-database.js'
import { migrateToLatest } from './storage/migrate.js'
import { createSqlStores } from './storage/sql-stores.js'

/** Where the terminal chat reads and writes; tests pass their own. */
export interface ChatIo {
  readonly input: Readable
  readonly output: Writable
  readonly errors: Writable
  readonly env: Record<string, string | undefined>
}

/**
 * `npm run chat -- --persona <id>`: talk to a persona in the terminal. Needs only Ollama.
 * Returns the process exit code.
 */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  io: ChatIo = {
    input: process.stdin,
    output: process.stdout,
    errors: process.stderr,
    env: process.env,
  },
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { persona: { type: 'string', short: 'p' }, help: { type: 'boolean', short: 'h' } },
    strict: false,
  })
  if (values.help) {
    io.output.write('Usage: npm run chat -- [--persona <id>]\n')
    return 0
  }
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(readEnv(io.env))
  } catch (err) {
    io.errors.write(`${err instanceof ConfigError ? err.message : String(err)}\n`)
    return 1
  }
  const log = createLogger({ level: 'warn', format: 'json', destination: io.errors })

  const check = await checkOllama(config.OLLAMA_HOSTS, config.OLLAMA_MODEL)
  if (!check.ok) {
    io.errors.write(`${check.message}\n`)
    return 1
  }
  if (check.missingModel && !config.OLLAMA_AUTO_PULL) {
    io.errors.write(`${modelMissingMessage(check.host, check.missingModel)}\n`)
  }

  const database = createDatabase(config.DATABASE_URL)
  const personas = new FilePersonaRepository(
    { log },
    { dir: config.PERSONAS_DIR, defaultModel: config.OLLAMA_MODEL },
  )
  const llm = createLlmGateway({ log, registry: new Registry() }, llmGatewayOptionsFrom(config))
  try {
    await migrateToLatest(database.db, log)
    const stores = createSqlStores(database.db, {
      scrub: () => database.scrub(),
      onScrubError: (err) => log.error({ err }, 'scrubbing the database after a merge failed'),
    })
    const exportFiles = new ExportDirectory(join(config.DATA_DIR, 'exports'))
    const loaded = await personas.reload()
    if (loaded.loaded === 0) {
      io.errors.write(`No personas could be loaded from ${config.PERSONAS_DIR}.\n`)
      return 1
    }
    await llm.start([
      ...new Set([
        config.OLLAMA_MODEL,
        ...personas.list().flatMap((p) => (p.model ? [p.model] : [])),
      ]),
    ])
    const entitlements = new SubscriptionEntitlements(
      { stores },
      { graceDays: config.BILLING_GRACE_DAYS },
    )
    const core = createChatCore(
      { stores, llm, personas, entitlements, grants: entitlements, commands, exportFiles, log },
      chatCoreOptionsFrom(config),
    )
    try {
      await runConsoleChat(
        { core, log },
        {
          input: io.input,
          output: io.output,
          userId: consoleUserId(),
          persona: typeof values.persona === 'string' ? values.persona : undefined,
          fileDir: exportFiles.dir,
          adultAllowed: config.CONSOLE_ADMIN,
          operatorMessages: ollamaOperatorMessages(config.OLLAMA_HOSTS, config.OLLAMA_MODEL),
        },
      )
    } finally {
      await core.close(2_000)
    }
    return 0
  } finally {
    await llm.close()
    await database.destroy()
  }
}

/** The LLM gateway's options from the validated configuration (also for `npm start`). */
export function llmGatewayOptionsFrom(config: ReturnType<typeof loadConfig>): LlmGatewayOptions {
  return {
    hosts: config.OLLAMA_HOSTS,
    defaultModel: config.OLLAMA_MODEL,
    fallbackModel: config.OLLAMA_FALLBACK_MODEL,
    concurrency: config.OLLAMA_CONCURRENCY,
    maxConcurrency: config.OLLAMA_MAX_CONCURRENCY,
    maxQueue: config.OLLAMA_MAX_QUEUE,
    autoPull: config.OLLAMA_AUTO_PULL,
    firstTokenTimeoutMs: config.OLLAMA_FIRST_TOKEN_TIMEOUT_MS,
    idleTimeoutMs: config.OLLAMA_IDLE_TIMEOUT_MS,
    totalTimeoutMs: config.OLLAMA_TOTAL_TIMEOUT_MS,
  }
}

/** The core's options from the validated configuration (also for `npm start`). */
export function chatCoreOptionsFrom(config: ReturnType<typeof loadConfig>) {
  return {
    defaultModel: config.OLLAMA_MODEL,
    fallbackModel: config.OLLAMA_FALLBACK_MODEL,
    freeDailyMessages: config.FREE_DAILY_MESSAGES,
    premiumDailyMessages: config.PREMIUM_DAILY_MESSAGES,
    maxInputChars: config.MAX_INPUT_CHARS,
    freeContextTokens: config.FREE_CONTEXT_TOKENS,
    premiumContextTokens: config.PREMIUM_CONTEXT_TOKENS,
    admins: withConsoleAdmin(config.ADMINS, config.CONSOLE_ADMIN),
    paySupportText: config.PAYSUPPORT_TEXT,
    termsUrl: config.TERMS_URL,
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
      process.exitCode = 1
    },
  )
}
