import type { Writable } from 'node:stream'
import { checkOllama, modelMissingMessage } from '../bots/console/ollama-check.js'
import type { Logger } from './core/ports/logger.js'
import { dialectOf } from './storage/create-database.js'

/**
 * Operator-facing start-up lines: each problem the operator can fix gets one short sentence
 * with the fix. With a terminal it is written there (the log goes to a file then); the log
 * always gets it as one line without a stack trace, the error itself only at debug level.
 */
export class StartupReporter {
  readonly #log: Logger
  readonly #terminal: Writable | undefined
  readonly #said = new Set<string>()

  constructor(log: Logger, terminal?: Writable | undefined) {
    this.#log = log
    this.#terminal = terminal
  }

  /** Reports a problem once (the same text twice is said once). */
  problem(component: string, text: string, err?: unknown): void {
    if (this.#said.has(text)) return
    this.#said.add(text)
    this.#log.warn({ component, startup: true }, oneLine(text))
    if (err !== undefined) this.#log.debug({ component, err }, 'start-up problem details')
    this.#terminal?.write(`${text}\n`)
  }

  /** A plain notice (no problem): logged at info, and shown on the terminal when there is one. */
  notice(component: string, text: string): void {
    if (this.#said.has(text)) return
    this.#said.add(text)
    this.#log.info({ component, startup: true }, oneLine(text))
    this.#terminal?.write(`${text}\n`)
  }
}

/** Several lines of advice as one log line. */
export function oneLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim().replace(/\s{2,}/g, ' '))
    .filter(Boolean)
    .join(' ')
}

/** Said once when `npm start` has no terminal and no platform to serve. */
export const NO_TERMINAL_CHAT =
  'The terminal chat was not opened: there is no interactive terminal and neither DISCORD_TOKEN nor TELEGRAM_BOT_TOKEN is set. ' +
  'Run `npm start` in a terminal, or `npm run chat` to talk to a persona, or set a bot token in .env.'

/** `postgres://user:secret@host:5432/db` without the password. */
function safeUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
}

function pgParts(url: string): { host: string; port: string; user: string; database: string } {
  try {
    const u = new URL(url)
    return {
      host: u.hostname || 'localhost',
      port: u.port || '5432',
      user: decodeURIComponent(u.username) || 'postgres',
      database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    }
  } catch {
    return { host: 'localhost', port: '5432', user: 'postgres', database: 'justlayme' }
  }
}

/** Errors of a SQLite file or its folder the operator fixes by changing DATABASE_URL or rights. */
const SQLITE_FILE_CODES = [
  'SQLITE_CANTOPEN',
  'EACCES',
  'ENOENT',
  'ENOTDIR',
  'EEXIST',
  'EROFS',
  'EISDIR',
  'EPERM',
]

function codeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined
  const code = e?.code ?? e?.cause?.code
  return typeof code === 'string' ? code : ''
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The line for a database that cannot be opened at start, naming `DATABASE_URL` and, for
 * PostgreSQL, how to create a missing database. Undefined when the error is not about reaching
 * the database (a bug, a failed migration: the caller says what it is).
 */
export function databaseStartupProblem(databaseUrl: string, err: unknown): string {
  const code = codeOf(err)
  const text = messageOf(err)
  if (dialectOf(databaseUrl) === 'postgres') {
    const { host, port, user, database } = pgParts(databaseUrl)
    const where = `DATABASE_URL=${safeUrl(databaseUrl)}`
    if (code === '3D000' || /database ".*" does not exist/.test(text)) {
      return (
        `The PostgreSQL database "${database}" does not exist (${where}). ` +
        `Create it with:  createdb -h ${host} -p ${port} -U ${user} ${database}  ` +
        `(or in psql: CREATE DATABASE "${database}";), or point DATABASE_URL at an existing database.`
      )
    }
    if (code === '28P01' || code === '28000' || /authentication failed/i.test(text)) {
      return `PostgreSQL refused the login of user "${user}" (${where}): check the user name and password in DATABASE_URL.`
    }
    if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code)) {
      return (
        `PostgreSQL is not reachable at ${host}:${port} (${where}; ${code}). ` +
        'Start PostgreSQL, or fix DATABASE_URL (or leave it unset to use SQLite in ./data).'
      )
    }
    return `PostgreSQL could not be used (${where}): ${text}. Check DATABASE_URL.`
  }
  if (SQLITE_FILE_CODES.includes(code)) {
    return (
      `The SQLite database file cannot be opened (DATABASE_URL=${databaseUrl}; ${code}). ` +
      'Check that its folder can be created and written, or set DATABASE_URL to another file.'
    )
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return `The file at DATABASE_URL=${databaseUrl} is not a usable SQLite database (${code}). Set DATABASE_URL to another file.`
  }
  return `The database could not be opened (DATABASE_URL=${safeUrl(databaseUrl)}): ${text}`
}

/** Thrown by start-up for a problem the operator fixes; `main` prints `message` without a stack. */
export class StartupError extends Error {
  readonly component: string
  constructor(component: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'StartupError'
    this.component = component
  }
}

const NETWORK_CODES = ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']
const NETWORK_CODES_ALL = [
  ...NETWORK_CODES,
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]

function networkCodeIn(err: unknown): string | undefined {
  let e: unknown = err
  for (let depth = 0; e && depth < 5; depth++) {
    const code = codeOf(e)
    if (NETWORK_CODES_ALL.includes(code)) return code
    e = (e as { cause?: unknown; error?: unknown }).cause ?? (e as { error?: unknown }).error
  }
  return /fetch failed|network|socket hang up/i.test(messageOf(err)) ? 'network error' : undefined
}

/** The line for a Discord or Telegram bot that did not start: bad token or no network. */
export function botStartupProblem(platform: 'discord' | 'telegram', err: unknown): string {
  const text = messageOf(err)
  const status = (err as { error_code?: unknown; status?: unknown } | undefined) ?? {}
  const unauthorized =
    status.error_code === 401 ||
    status.status === 401 ||
    codeOf(err) === 'TokenInvalid' ||
    /\b401\b|unauthori[sz]ed|invalid token|TokenInvalid/i.test(text)
  if (platform === 'telegram') {
    if (unauthorized || status.error_code === 404) {
      return 'Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the token from @BotFather again into .env. The rest of the platform keeps running.'
    }
    const network = networkCodeIn(err)
    if (network) {
      return `Telegram could not be reached (${network}): check the network connection (and TELEGRAM_API_ROOT if you set it). The rest of the platform keeps running.`
    }
    return `Telegram did not start: ${text}. The rest of the platform keeps running.`
  }
  if (unauthorized) {
    return 'Discord refused DISCORD_TOKEN (invalid token): reset it in the Discord Developer Portal (your application > Bot > Reset Token) and put it in .env. The rest of the platform keeps running.'
  }
  if (/disallowed intents|4014/i.test(text)) {
    return 'Discord refused the Message Content intent: enable it in the Developer Portal (Bot > Privileged Gateway Intents) or set DISCORD_MESSAGE_CONTENT=false. The rest of the platform keeps running.'
  }
  const network = networkCodeIn(err)
  if (network) {
    return `Discord could not be reached (${network}): check the network connection (and DISCORD_API_URL if you set it). The rest of the platform keeps running.`
  }
  return `Discord did not start: ${text}. The rest of the platform keeps running.`
}

/**
 * Probes Ollama once at start and reports, in the words `npm run chat` uses, when no host
 * answers or the default model is missing. Returns whether a host answered. Never throws.
 */
export async function reportOllamaAtStart(
  reporter: StartupReporter,
  hosts: readonly string[],
  model: string,
  options: { autoPull?: boolean; timeoutMs?: number } = {},
): Promise<boolean> {
  try {
    const check = await checkOllama(hosts, model, { timeoutMs: options.timeoutMs })
    if (!check.ok) {
      reporter.problem('llm', check.message)
      return false
    }
    if (check.missingModel && !options.autoPull) {
      reporter.problem('llm', modelMissingMessage(check.host, check.missingModel))
    }
    return true
  } catch (err) {
    reporter.problem('llm', `Ollama could not be checked: ${messageOf(err)}`, err)
    return false
  }
}
