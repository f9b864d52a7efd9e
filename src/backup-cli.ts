import { resolve } from 'node:path'
import { loadCliConfig } from './cli-config.js'
import { dialectOf } from './storage/create-database.js'
import { backupSqlite } from './storage/sqlite-backup.js'

/** `npm run backup`: a consistent copy of the SQLite database in BACKUP_DIR, keeping BACKUP_KEEP. */
async function main(): Promise<number> {
  const config = loadCliConfig()
  if (!config) return 1
  if (dialectOf(config.DATABASE_URL) === 'postgres') {
    process.stderr.write(
      'DATABASE_URL is PostgreSQL: back it up with pg_dump, for example\n' +
        '  pg_dump --format=custom --file=justlayme.dump "$DATABASE_URL"\n' +
        'and restore with pg_restore --clean --dbname="$DATABASE_URL" justlayme.dump\n',
    )
    return 1
  }
  try {
    const { file, removed } = await backupSqlite(
      config.DATABASE_URL,
      config.BACKUP_DIR,
      config.BACKUP_KEEP,
    )
    process.stdout.write(`Backup written: ${resolve(file)} (integrity check ok)\n`)
    for (const old of removed) process.stdout.write(`Removed old backup: ${old}\n`)
    return 0
  } catch (err) {
    process.stderr.write(`Backup failed: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}

process.exitCode = await main()
