import { isIP } from 'node:net'

/*
 * How each kind of configuration value is read and checked: the building blocks of the
 * variable table in `config.ts`.
 */

/** One variable: how to read it, what is expected, and an example for the error message. */
export interface VarSpec<T> {
  readonly default?: string
  readonly expected: string
  readonly example: string
  parse(raw: string): T | undefined
}

export const str = (expected = 'a non-empty string', example = 'value'): VarSpec<string> => ({
  expected,
  example,
  parse: (raw) => (raw.trim() === '' ? undefined : raw.trim()),
})

export const int = (min: number, max: number, example: string): VarSpec<number> => ({
  expected: `an integer from ${min} to ${max}`,
  example,
  parse: (raw) => {
    if (!/^\d+$/.test(raw.trim())) return undefined
    const n = Number(raw)
    return n >= min && n <= max ? n : undefined
  },
})

export const bool: VarSpec<boolean> = {
  expected: 'true or false',
  example: 'true',
  parse: (raw) => {
    const v = raw.trim().toLowerCase()
    if (['true', '1', 'yes', 'on'].includes(v)) return true
    if (['false', '0', 'no', 'off', ''].includes(v)) return false
    return undefined
  },
}

export const httpUrl = (example: string): VarSpec<string> => ({
  expected: 'an http:// or https:// URL',
  example,
  parse: (raw) => {
    const v = raw.trim().replace(/\/+$/, '')
    try {
      const u = new URL(v)
      return u.protocol === 'http:' || u.protocol === 'https:' ? v : undefined
    } catch {
      return undefined
    }
  },
})

export const httpUrlList = (example: string): VarSpec<string[]> => ({
  expected: 'a comma-separated list of http:// or https:// URLs',
  example,
  parse: (raw) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    const parsed = items.map((s) => httpUrl(example).parse(s))
    return parsed.length > 0 && parsed.every((p) => p !== undefined)
      ? (parsed as string[])
      : undefined
  },
})

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export const oneOf = <T extends string>(values: readonly T[], example: T): VarSpec<T> => ({
  expected: `one of ${values.join(', ')}`,
  example,
  parse: (raw) => values.find((v) => v === raw.trim().toLowerCase()),
})

export interface AdminRef {
  readonly platform: 'discord' | 'telegram' | 'console'
  readonly platformUserId: string
}

export const admins: VarSpec<AdminRef[]> = {
  expected: 'a comma-separated list of platform:user-id (platform discord, telegram or console)',
  example: 'discord:123456789012345678,telegram:987654321',
  parse: (raw) => {
    const out: AdminRef[] = []
    for (const item of raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const m = /^(discord|telegram|console):([\w-]+)$/.exec(item)
      if (!m?.[1] || !m[2]) return undefined
      out.push({ platform: m[1] as AdminRef['platform'], platformUserId: m[2] })
    }
    return out
  },
}

export const databaseUrl: VarSpec<string> = {
  expected: 'a file path for SQLite, or a postgres:// URL',
  example: './data/justlayme.sqlite or postgres://user:pass@localhost:5432/justlayme',
  parse: (raw) => {
    const v = raw.trim()
    if (v === '') return undefined
    if (/^postgres(ql)?:\/\//i.test(v)) return v
    if (/^sqlite:\/\//i.test(v)) return v.replace(/^sqlite:\/\//i, '') || undefined
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return undefined
    return v
  },
}

export const email = (example: string): VarSpec<string> => ({
  expected: 'an email address (optionally "Name <address>")',
  example,
  parse: (raw) => {
    const v = raw.trim()
    if (/[\r\n]/.test(v)) return undefined
    return /^([^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/.test(v) ? v : undefined
  },
})

export const smtpUrl: VarSpec<string> = {
  expected: 'an smtp:// or smtps:// URL',
  example: 'smtp://user:pass@mail.example.com:587',
  parse: (raw) => (/^smtps?:\/\/[^\s]+$/i.test(raw.trim()) ? raw.trim() : undefined),
}

/** What Fastify's `trustProxy` accepts: off, on, a hop count, or the proxies' addresses. */
export type TrustProxy = boolean | number | readonly string[]

/** Named ranges understood by proxy-addr (Fastify's implementation of `trustProxy`). */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])

function isProxyAddress(item: string): boolean {
  if (PROXY_RANGE_NAMES.has(item)) return true
  const [address, bits, extra] = item.split('/')
  if (extra !== undefined || !address) return false
  const family = isIP(address)
  if (family === 0) return false
  if (bits === undefined) return true
  if (!/^\d{1,3}$/.test(bits)) return false
  return Number(bits) <= (family === 4 ? 32 : 128)
}

export const trustProxy: VarSpec<TrustProxy> = {
  expected:
    'false, true, a hop count (1, 2, ...), or a comma-separated list of proxy addresses or CIDR ranges (loopback, linklocal and uniquelocal also work)',
  example: '1 or 127.0.0.1,10.0.0.0/8',
  parse: (raw) => {
    const v = raw.trim().toLowerCase()
    if (['false', '0', 'no', 'off', ''].includes(v)) return false
    if (['true', 'yes', 'on'].includes(v)) return true
    if (/^\d{1,3}$/.test(v)) return Number(v)
    const items = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    return items.length > 0 && items.every(isProxyAddress) ? items : undefined
  },
}
