import { existsSync, readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { BILLING_SPEC } from './config-billing.js'
import { MEDIA_SPEC } from './config-media.js'
import { PLATFORM_SPEC } from './config-platforms.js'
import { redactForMessage } from './config-secrets.js'
import {
  admins,
  bool,
  databaseUrl,
  email,
  httpUrl,
  httpUrlList,
  int,
  LOG_LEVELS,
  oneOf,
  smtpUrl,
  str,
  trustProxy,
  type VarSpec,
} from './config-values.js'

export { configuredSecrets } from './config-secrets.js'
export type { AdminRef, TrustProxy } from './config-values.js'

const SPEC = {
  PORT: { ...int(0, 65535, '3000'), default: '3000' },
  HOST: { ...str('a host name or IP address', '0.0.0.0'), default: '0.0.0.0' },
  PUBLIC_URL: httpUrl('https://bots.example.com'),
  TRUST_PROXY: { ...trustProxy, default: 'false' },
  LOG_LEVEL: { ...oneOf(LOG_LEVELS, 'info'), default: 'info' },
  LOG_FORMAT: { ...oneOf(['json', 'pretty'] as const, 'pretty'), default: 'json' },
  DATABASE_URL: { ...databaseUrl, default: './data/justlayme.sqlite' },
  PERSONAS_DIR: { ...str('a directory path', './personas'), default: './personas' },
  DATA_DIR: { ...str('a directory path', './data'), default: './data' },
  ADMINS: { ...admins, default: '' },
  CONSOLE_ADMIN: { ...bool, default: 'true' },
  LINK_SECRET: str('a random string of at least 32 characters', 'openssl rand -hex 32'),

  FREE_DAILY_MESSAGES: { ...int(0, 1_000_000, '50'), default: '50' },
  PREMIUM_DAILY_MESSAGES: { ...int(0, 1_000_000, '1000'), default: '1000' },
  MAX_INPUT_CHARS: { ...int(1, 1_000_000, '4000'), default: '4000' },
  FREE_CONTEXT_TOKENS: { ...int(256, 1_048_576, '4096'), default: '4096' },
  PREMIUM_CONTEXT_TOKENS: { ...int(256, 1_048_576, '16384'), default: '16384' },

  OLLAMA_HOSTS: {
    ...httpUrlList('http://127.0.0.1:11434,http://gpu2:11434'),
    default: 'http://127.0.0.1:11434',
  },
  OLLAMA_MODEL: { ...str('a model name', 'llama3.2'), default: 'llama3.2' },
  OLLAMA_FALLBACK_MODEL: str('a model name', 'qwen2.5:0.5b'),
  OLLAMA_CONCURRENCY: {
    expected: 'auto or an integer from 1 to 64',
    example: 'auto',
    parse: (raw: string): number | 'auto' | undefined =>
      raw.trim().toLowerCase() === 'auto' ? 'auto' : int(1, 64, '4').parse(raw),
    default: 'auto',
  },
  OLLAMA_MAX_CONCURRENCY: { ...int(1, 64, '8'), default: '8' },
  OLLAMA_MAX_QUEUE: { ...int(1, 100_000, '100'), default: '100' },
  OLLAMA_AUTO_PULL: { ...bool, default: 'false' },
  OLLAMA_FIRST_TOKEN_TIMEOUT_MS: { ...int(1000, 3_600_000, '90000'), default: '90000' },
  OLLAMA_IDLE_TIMEOUT_MS: { ...int(1000, 3_600_000, '30000'), default: '30000' },
  OLLAMA_TOTAL_TIMEOUT_MS: { ...int(1000, 3_600_000, '300000'), default: '300000' },
  ...MEDIA_SPEC,

  ...PLATFORM_SPEC,

  ...BILLING_SPEC,

  SMTP_URL: smtpUrl,
  SMTP_FROM: {
    ...email('JustLayMe <bot@example.com>'),
    default: 'JustLayMe <no-reply@localhost.localdomain>',
  },
  ADMIN_EMAIL: email('ops@example.com'),
  MAIL_RETENTION_DAYS: { ...int(1, 3650, '7'), default: '7' },
  CONSOLE_SESSION_HOURS: { ...int(1, 720, '12'), default: '12' },

  SHUTDOWN_GRACE_MS: { ...int(0, 3_600_000, '30000'), default: '30000' },
  REPLICA_TIMEOUT_MS: { ...int(1_000, 600_000, '10000'), default: '10000' },
  METRICS_TOKEN: {
    ...str('16 or more characters without spaces', 'openssl rand -hex 32'),
    parse: (r: string) => (/^\S{16,}$/.test(r.trim()) ? r.trim() : undefined),
  },
  BACKUP_DIR: { ...str('a directory path', './data/backups'), default: './data/backups' },
  BACKUP_KEEP: { ...int(1, 10_000, '7'), default: '7' },
} satisfies Record<string, VarSpec<unknown>>

type Spec = typeof SPEC
type Parsed<S> = S extends VarSpec<infer T> ? T : never
type HasDefault<S> = S extends { default: string } ? true : false

/** The validated configuration; keys are the environment variable names. */
export type Config = {
  readonly [K in keyof Spec]: HasDefault<Spec[K]> extends true
    ? Parsed<Spec[K]>
    : Parsed<Spec[K]> | undefined
} & {
  readonly PUBLIC_URL: string
  /** Defaults to `stars` when TELEGRAM_STARS_PRICE is set, else `stripe`. */
  readonly TELEGRAM_SUBSCRIBE: 'stars' | 'stripe' | 'both'
}

export const CONFIG_KEYS = Object.keys(SPEC) as (keyof Spec)[]

/** Thrown with every problem at once; `main` prints `message` and exits 1 without a stack. */
export class ConfigError extends Error {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix these in the environment or in .env (see .env.example).`,
    )
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** Reads `.env` (if present) under the real environment; the environment wins. */
export function readEnv(
  env: NodeJS.ProcessEnv = process.env,
  envFile = '.env',
): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {}
  return { ...fromFile, ...env }
}

/** Validates the environment once; throws `ConfigError` naming every wrong variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const out: Record<string, unknown> = {}
  const problems: string[] = []
  for (const key of CONFIG_KEYS) {
    const spec: VarSpec<unknown> & { default?: string } = SPEC[key]
    const raw = env[key]
    const source = raw === undefined || raw === '' ? spec.default : raw
    if (source === undefined) {
      out[key] = undefined
      continue
    }
    const value = spec.parse(source)
    if (value === undefined) {
      problems.push(
        `${key}=${JSON.stringify(redactForMessage(key, source))} is not valid: expected ${spec.expected}, for example ${key}=${spec.example}`,
      )
    } else {
      out[key] = value
    }
  }
  // PORT=0 (any free port, logged once bound) cannot name the port in a default PUBLIC_URL:
  // required when something builds links, else left empty (the platform logs the bound port).
  if (out.PORT === 0 && out.PUBLIC_URL === undefined) {
    if (out.SMTP_URL !== undefined || out.STRIPE_SECRET_KEY !== undefined || out.TELEGRAM_WEBHOOK) {
      problems.push(
        'PUBLIC_URL is required with PORT=0 when SMTP_URL, STRIPE_SECRET_KEY or TELEGRAM_WEBHOOK is set (links need a fixed address), for example PUBLIC_URL=https://bots.example.com',
      )
    }
    out.PUBLIC_URL = ''
  }
  if (out.PUBLIC_URL === undefined) out.PUBLIC_URL = `http://localhost:${out.PORT ?? 3000}`
  if (out.LINK_SECRET !== undefined && String(out.LINK_SECRET).length < 32) {
    problems.push(
      'LINK_SECRET is too short: expected at least 32 characters, for example LINK_SECRET=$(openssl rand -hex 32)',
    )
  }
  if (out.TELEGRAM_WEBHOOK === true && out.TELEGRAM_BOT_TOKEN === undefined) {
    problems.push(
      'TELEGRAM_WEBHOOK=true needs TELEGRAM_BOT_TOKEN: set the token from @BotFather, for example TELEGRAM_BOT_TOKEN=123456:ABC-DEF1234ghIkl',
    )
  }
  if (out.TELEGRAM_STARS_PRICE !== undefined && out.TELEGRAM_BOT_TOKEN === undefined) {
    problems.push(
      'TELEGRAM_STARS_PRICE needs TELEGRAM_BOT_TOKEN: Stars are sold through the Telegram bot, for example TELEGRAM_BOT_TOKEN=123456:ABC-DEF1234ghIkl',
    )
  }
  if (out.TELEGRAM_SUBSCRIBE === undefined) {
    out.TELEGRAM_SUBSCRIBE = out.TELEGRAM_STARS_PRICE === undefined ? 'stripe' : 'stars'
  } else if (out.TELEGRAM_SUBSCRIBE !== 'stripe' && out.TELEGRAM_STARS_PRICE === undefined) {
    problems.push(
      `TELEGRAM_SUBSCRIBE=${String(out.TELEGRAM_SUBSCRIBE)} needs TELEGRAM_STARS_PRICE: set the Stars per 30 days, for example TELEGRAM_STARS_PRICE=250`,
    )
  }
  if (
    out.TELEGRAM_SUBSCRIBE !== 'stars' &&
    out.TELEGRAM_STARS_PRICE !== undefined &&
    out.STRIPE_SECRET_KEY === undefined
  ) {
    problems.push(
      `TELEGRAM_SUBSCRIBE=${String(out.TELEGRAM_SUBSCRIBE)} sells through Stripe on Telegram, which needs STRIPE_SECRET_KEY (or set TELEGRAM_SUBSCRIBE=stars)`,
    )
  }
  if (out.STRIPE_SECRET_KEY !== undefined) {
    for (const needed of ['STRIPE_WEBHOOK_SECRET', 'STRIPE_PRICE_ID'] as const) {
      if (out[needed] === undefined) {
        problems.push(
          `${needed} is required when STRIPE_SECRET_KEY is set: expected ${SPEC[needed].expected}, for example ${needed}=${SPEC[needed].example}`,
        )
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return out as Config
}
