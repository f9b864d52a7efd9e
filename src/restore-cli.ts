import { loadCliConfig } from './cli-config.js'
import { dialectOf } from './storage/create-database.js'
import { restoreSqlite } from './storage/sqlite-backup.js'
import { claimSqliteFile, SqliteInUseError } from './storage/sqlite-owner.js'

/** True when something answers the platform's live check on PORT (it is still running). */
async function platformAnswers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health/live`, {
      signal: AbortSignal.timeout(1_000),
    })
    return res.ok
  } catch {
    return false
  }
}

/** `npm run restore -- <file>`: puts a backup in place of the SQLite database (platform stopped). */
async function main(): Promise<number> {
  const file = process.argv[2]
  if (!file) {
    process.stderr.write('Usage: npm run restore -- <backup file>   (see npm run backup)\n')
    return 1
  }
  const config = loadCliConfig()
  if (!config) return 1
  if (dialectOf(config.DATABASE_URL) === 'postgres') {
    process.stderr.write(
      'DATABASE_URL is PostgreSQL: restore a pg_dump with pg_restore --clean --dbname="$DATABASE_URL" <file>\n',
    )
    return 1
  }
  if (config.PORT !== 0 && (await platformAnswers(config.PORT))) {
    process.stderr.write(
      `JustLayMe is still running (port ${config.PORT} answers): stop it first, then restore.\n`,
    )
    return 1
  }
  // A running platform also holds the file's owner mark (the only check with PORT=0).
  let ownership: ReturnType<typeof claimSqliteFile>
  try {
    ownership = claimSqliteFile(config.DATABASE_URL)
  } catch (err) {
    if (!(err instanceof SqliteInUseError)) throw err
    process.stderr.write(
      `JustLayMe is still running (pid ${err.owner.pid} holds ${config.DATABASE_URL}): stop it first, then restore.\n`,
    )
    return 1
  }
  try {
    const kept = restoreSqlite(file, config.DATABASE_URL)
    process.stdout.write(`Restored ${file} to ${config.DATABASE_URL}.\n`)
    if (kept) process.stdout.write(`The previous database is kept as ${kept}.\n`)
    return 0
  } catch (err) {
    process.stderr.write(`Restore failed: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  } finally {
    ownership.release()
  }
}

process.exitCode = await main()
