import type { Logger } from './core/ports/logger.js'
import { databaseStartupProblem, StartupError } from './startup-messages.js'
import { createDatabase, type DatabaseHandle } from './storage/create-database.js'
import { migrateToLatest } from './storage/migrate.js'
import { claimSqliteFile, SqliteInUseError } from './storage/sqlite-owner.js'

/** The SQLite claim; a folder that cannot be created or written is a `StartupError`. */
export function claimSqliteOrExplain(file: string): ReturnType<typeof claimSqliteFile> {
  try {
    return claimSqliteFile(file)
  } catch (err) {
    if (err instanceof SqliteInUseError) throw err
    throw new StartupError('database', databaseStartupProblem(file, err), { cause: err })
  }
}

/**
 * Opens and migrates the database; an unreachable or missing one is a `StartupError` naming
 * DATABASE_URL (and, for PostgreSQL, how to create the database).
 */
export async function openDatabase(url: string, log: Logger): Promise<DatabaseHandle> {
  let database: DatabaseHandle
  try {
    database = createDatabase(url)
  } catch (err) {
    throw new StartupError('database', databaseStartupProblem(url, err), { cause: err })
  }
  try {
    await migrateToLatest(database.db, log, { schema: database.schema })
  } catch (err) {
    await database.destroy().catch(() => undefined)
    throw new StartupError('database', databaseStartupProblem(url, err), { cause: err })
  }
  return database
}
