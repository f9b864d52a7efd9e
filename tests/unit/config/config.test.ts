import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFIG_KEYS, loadConfig, readEnv } from '../../../src/config.js'
import { createLogger, redactUrl, scrubSecrets } from '../../../src/logger.js'
import { problemsOf } from '../../helpers/config-problems.js'

describe('loadConfig', () => {
  it('starts with nothing configured and fills every default', () => {
    const config = loadConfig({})
    expect(config.PORT).toBe(3000)
    expect(config.HOST).toBe('0.0.0.0')
    expect(config.PUBLIC_URL).toBe('http://localhost:3000')
    expect(config.DATABASE_URL).toBe('./data/justlayme.sqlite')
    expect(config.OLLAMA_HOSTS).toEqual(['http://127.0.0.1:11434'])
    expect(config.FREE_DAILY_MESSAGES).toBe(50)
    expect(config.PREMIUM_DAILY_MESSAGES).toBe(1000)
    expect(config.MAX_INPUT_CHARS).toBe(4000)
    expect(config.OLLAMA_CONCURRENCY).toBe('auto')
    expect(config.OLLAMA_MAX_CONCURRENCY).toBe(8)
    expect(config.OLLAMA_AUTO_PULL).toBe(false)
    expect(config.BILLING_GRACE_DAYS).toBe(3)
    expect(config.DISCORD_TOKEN).toBeUndefined()
    expect(config.ADMINS).toEqual([])
  })

  it('reads OLLAMA_CONCURRENCY as auto or a pinned number', () => {
    expect(loadConfig({ OLLAMA_CONCURRENCY: 'AUTO' }).OLLAMA_CONCURRENCY).toBe('auto')
    expect(loadConfig({ OLLAMA_CONCURRENCY: '4' }).OLLAMA_CONCURRENCY).toBe(4)
    expect(() => loadConfig({ OLLAMA_CONCURRENCY: 'lots' })).toThrow(
      /OLLAMA_CONCURRENCY="lots" is not valid: expected auto or an integer from 1 to 64/,
    )
    expect(() => loadConfig({ OLLAMA_MAX_CONCURRENCY: '0' })).toThrow(/OLLAMA_MAX_CONCURRENCY/)
  })

  it('builds PUBLIC_URL from PORT when unset', () => {
    expect(loadConfig({ PORT: '8080' }).PUBLIC_URL).toBe('http://localhost:8080')
  })

  it('accepts PORT=0 (any free port), needing PUBLIC_URL only when links are built', () => {
    expect(loadConfig({ PORT: '0' })).toMatchObject({ PORT: 0, PUBLIC_URL: '' })
    expect(
      loadConfig({ PORT: '0', SMTP_URL: 'smtp://127.0.0.1:25', PUBLIC_URL: 'https://b.example' })
        .PUBLIC_URL,
    ).toBe('https://b.example')
    const linkBuilders: Record<string, string>[] = [
      { SMTP_URL: 'smtp://127.0.0.1:25' },
      {
        STRIPE_SECRET_KEY: 'sk_test_x',
        STRIPE_WEBHOOK_SECRET: 'whsec_x',
        STRIPE_PRICE_ID: 'price_1',
      },
      { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_WEBHOOK: 'true' },
    ]
    for (const env of linkBuilders) {
      expect(problemsOf({ PORT: '0', ...env })).toEqual([
        expect.stringMatching(/^PUBLIC_URL is required with PORT=0 when SMTP_URL/),
      ])
    }
  })

  it('names every wrong variable at once, with what was expected and an example', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      OLLAMA_HOSTS: 'gpu:11434',
    })
    expect(problems).toHaveLength(3)
    expect(problems[0]).toMatch(
      /^PORT="abc" is not valid: expected an integer from 0 to 65535, for example PORT=3000/,
    )
    expect(problems.join('\n')).toMatch(
      /DATABASE_URL="mysql:\/\/x" is not valid: expected a file path for SQLite, or a postgres:\/\/ URL/,
    )
    expect(problems.join('\n')).toMatch(/OLLAMA_HOSTS=.*http:\/\/ or https:\/\//)
  })

  it('accepts postgres URLs and comma lists', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/jlm',
      OLLAMA_HOSTS: 'http://a:11434, http://b:11434/',
      ADMINS: 'discord:123,telegram:456',
    })
    expect(config.DATABASE_URL).toBe('postgres://u:p@db:5432/jlm')
    expect(config.OLLAMA_HOSTS).toEqual(['http://a:11434', 'http://b:11434'])
    expect(config.ADMINS).toEqual([
      { platform: 'discord', platformUserId: '123' },
      { platform: 'telegram', platformUserId: '456' },
    ])
  })

  it('requires the webhook secret and price once Stripe is switched on', () => {
    const problems = problemsOf({ STRIPE_SECRET_KEY: 'sk_test_abc' })
    expect(problems.join('\n')).toMatch(
      /STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set/,
    )
    expect(problems.join('\n')).toMatch(/STRIPE_PRICE_ID is required/)
  })

  it('never echoes a secret in its message', () => {
    const problems = problemsOf({ TELEGRAM_BOT_TOKEN: 'not-a-token-but-secret-ish' })
    expect(problems.join('\n')).not.toContain('not-a-token-but-secret-ish')
    expect(problems.join('\n')).toMatch(/TELEGRAM_BOT_TOKEN/)
  })

  it('reads .env under the real environment, which wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jlm-env-'))
    const file = join(dir, '.env')
    writeFileSync(file, 'PORT=4000\nLOG_LEVEL=debug\n')
    const env = readEnv({ PORT: '5000' }, file)
    expect(env.PORT).toBe('5000')
    expect(env.LOG_LEVEL).toBe('debug')
  })

  it('documents every variable in .env.example', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8')
    for (const key of CONFIG_KEYS) expect(example).toMatch(new RegExp(`^#? ?${key}=`, 'm'))
  })
})

describe('redactUrl', () => {
  it('hides link tokens and bot tokens in logged URLs', () => {
    expect(redactUrl('/subscribe/abc.def')).toBe('/subscribe/[redacted]')
    expect(redactUrl('/subscribe/success')).toBe('/subscribe/success')
    expect(redactUrl('/billing/xyz?x=1')).toBe('/billing/[redacted]?x=1')
    expect(redactUrl('/verify?token=secret&a=b')).toBe('/verify?token=[redacted]&a=b')
    expect(redactUrl('/bot123:ABC-def/getMe')).toBe('/bot[redacted]/getMe')
  })
})

describe('secret scrubbing', () => {
  it('removes bot tokens, URL passwords and Stripe keys from error texts', () => {
    expect(
      scrubSecrets(
        'request to https://api.telegram.org/bot123456:AAH-abcdefghijklmnop/getUpdates failed; smtp://user:hunter2@mail:587; sk_live_abc123 whsec_zzz',
      ),
    ).toBe(
      'request to https://api.telegram.org/bot[redacted]/getUpdates failed; smtp://[redacted]@mail:587; [redacted] [redacted]',
    )
  })

  it('applies to every error the logger writes', () => {
    const lines: string[] = []
    const log = createLogger({
      level: 'info',
      format: 'json',
      destination: { write: (l: string) => void lines.push(l) },
    })
    log.error({ err: new Error('fetch https://x/bot42:SECRETSECRETSECRET/sendMessage') }, 'failed')
    expect(lines.join('')).not.toContain('SECRETSECRETSECRET')
    expect(lines.join('')).toContain('bot[redacted]')
  })

  it('never writes the message text that a platform error quotes from its request', () => {
    const lines: string[] = []
    const log = createLogger({
      level: 'info',
      format: 'json',
      destination: { write: (l: string) => void lines.push(l) },
    })
    // The shape of grammY's GrammyError and discord.js's DiscordAPIError.
    const grammy = Object.assign(new Error('Call to sendMessage failed (400)'), {
      method: 'sendMessage',
      payload: { chat_id: 42, text: 'my secret garden', reply_markup: { inline_keyboard: [] } },
    })
    const discord = Object.assign(new Error('Missing Access'), {
      requestBody: { json: { content: 'my secret boat', embeds: [{ description: 'x' }] } },
    })
    log.warn({ err: grammy }, 'send failed')
    log.error({ err: discord }, 'send failed')
    const written = lines.join('')
    expect(written).not.toContain('secret garden')
    expect(written).not.toContain('secret boat')
    expect(written).toContain('[16 chars]')
    expect(written).toContain('sendMessage')
  })
})
