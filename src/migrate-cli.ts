import { loadCliConfig } from './cli-config.js'
import { configuredSecrets } from './config.js'
import { createLogger } from './logger.js'
import { createDatabase } from './storage/create-database.js'
import { migrateToLatest } from './storage/migrate.js'

/** `npm run migrate`: applies pending migrations to DATABASE_URL and exits. */
async function main(): Promise<number> {
  const config = loadCliConfig()
  if (!config) return 1
  const log = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    secrets: configuredSecrets(config),
  })
  const handle = createDatabase(config.DATABASE_URL)
  try {
    await migrateToLatest(handle.db, log)
    log.info({ dialect: handle.dialect }, 'database is up to date')
    return 0
  } catch (err) {
    log.fatal({ err }, 'migration failed')
    return 1
  } finally {
    await handle.destroy()
  }
}

process.exitCode = await main()
