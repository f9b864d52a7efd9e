import { createRequire } from 'node:module'
import { type DestinationStream, type Logger, pino } from 'pino'
import { hideMessageText } from './log-message-text.js'
import { createLineScrubber, redactUrl, scrubSecrets } from './log-scrub.js'

export { redactUrl, scrubSecrets } from './log-scrub.js'

export interface LoggerOptions {
  readonly level: string
  readonly format: 'json' | 'pretty'
  /** Where lines go; stdout by default (tests and the terminal chat pass their own). */
  readonly destination?: DestinationStream | undefined
  /** Configured secret values (bot tokens, keys): never written, whatever field holds them. */
  readonly secrets?: readonly (string | undefined)[] | undefined
  /** Whether `pino-pretty` can be loaded (a production install may leave it out). */
  readonly prettyAvailable?: (() => boolean) | undefined
}

/** True when the optional `pino-pretty` package is installed. */
export function pinoPrettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty')
    return true
  } catch {
    return false
  }
}

const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'secretKey',
  '*.secretKey',
  'webhookSecret',
  '*.webhookSecret',
  'linkSecret',
  '*.linkSecret',
  'signature',
  '*.signature',
  'smtpUrl',
  '*.smtpUrl',
]

const EMAIL_PATHS = ['email', '*.email', 'to', '*.to', 'address', '*.address']

function scrubbedError(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>
  if (!serialized || typeof serialized !== 'object') return serialized
  for (const [key, value] of Object.entries(serialized)) {
    if (typeof value === 'string') serialized[key] = scrubSecrets(value)
  }
  // Platform API errors quote the request, i.e. the message being sent.
  return hideMessageText(serialized)
}

/**
 * The one root logger: JSON lines by default, human-readable with `format: 'pretty'`.
 * Secrets are always redacted; email addresses too unless the level is debug or trace.
 * Known fields are censored by path; then every finished line is scrubbed of link tokens,
 * token-shaped secrets and the configured secret values, wherever they sit in the object.
 */
export function createLogger(options: LoggerOptions): Logger {
  const verbose = options.level === 'debug' || options.level === 'trace'
  const paths = verbose ? SECRET_PATHS : [...SECRET_PATHS, ...EMAIL_PATHS]
  const base = {
    level: options.level,
    redact: { paths, censor: '[redacted]' },
    hooks: { streamWrite: createLineScrubber(options.secrets) },
    serializers: {
      req(req: { method?: string; url?: string; id?: unknown }) {
        return { method: req.method, url: redactUrl(req.url ?? ''), id: req.id }
      },
      err: scrubbedError,
    },
  }
  if (options.format === 'pretty' && !options.destination) {
    if ((options.prettyAvailable ?? pinoPrettyInstalled)()) {
      return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } })
    }
    const log = pino(base)
    log.warn(
      'LOG_FORMAT=pretty needs the pino-pretty package, which is not installed (a production install leaves it out): logging JSON instead. Install it with npm install pino-pretty, or pipe the JSON through npx pino-pretty.',
    )
    return log
  }
  return options.destination ? pino(base, options.destination) : pino(base)
}
