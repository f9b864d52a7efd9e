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
import { ConfigError, loadConfig, readEnv } from './config.js'
import { consoleUserId } from './console-user.js'
import { ExportDirectory } from './files/export-directory.js'
import { createLlmGateway } from './llm/create-llm-gateway.js'
import { createLogger } from './logger.js'
import { FilePersonaRepository } from './personas/file-persona-repository.js'
import { createDatabase } from './storage/create-database.js'
import { migrateToLatest } from './storage/migrate.js'
import { createSqlStores } from './storage/sql-stores.js'
import { buildChatCore } from './wiring/build-core.js'
import { llmGatewayOptionsFrom } from './wiring/config-options.js'
import { requiredModels } from './wiring/load-personas.js'

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
    await llm.start(requiredModels(config, personas))
    const core = buildChatCore(config, { stores, llm, personas, exportFiles, log })
    try {
      await runConsoleChat(
        { core, log },
        {
          input: io.input,
          output: io.output,
          userId: consoleUserId(),
          adultAllowed: config.CONSOLE_ADMIN,
          operatorMessages: ollamaOperatorMessages(config.OLLAMA_HOSTS, config.OLLAMA_MODEL),
          persona: typeof values.persona === 'string' ? values.persona : undefined,
          fileDir: exportFiles.dir,
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
