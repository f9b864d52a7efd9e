import { ConfigError, configuredSecrets, loadConfig, readEnv } from './config.js'
import { createLogger } from './logger.js'
import { createDatabase } from './storage/create-database.js'
import { migrateToLatest } from './storage/migrate.js'

/** `npm run migrate`: applies pending migrations to DATABASE_URL and exits. */
async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(readEnv())
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      return 1
    }
    throw err
  }
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
