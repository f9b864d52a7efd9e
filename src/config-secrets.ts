import type { Config } from './config.js'

/** Every configured secret value, for the logger to scrub wherever it might appear. */
export function configuredSecrets(config: Config): string[] {
  const values = [
    config.DISCORD_TOKEN,
    config.TELEGRAM_BOT_TOKEN,
    config.TELEGRAM_WEBHOOK_SECRET,
    config.STRIPE_SECRET_KEY,
    config.STRIPE_WEBHOOK_SECRET,
    config.LINK_SECRET,
    config.METRICS_TOKEN,
    smtpPassword(config.SMTP_URL),
    databasePassword(config.DATABASE_URL),
  ]
  return values.filter((v): v is string => v !== undefined && v !== '')
}

function smtpPassword(url: string | undefined): string | undefined {
  return url ? passwordOf(url) : undefined
}

function databasePassword(url: string): string | undefined {
  return /^postgres/i.test(url) ? passwordOf(url) : undefined
}

function passwordOf(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password)
    return password === '' ? undefined : password
  } catch {
    return undefined
  }
}

const SECRET_KEYS = /TOKEN|SECRET|KEY|PASSWORD/
export function redactForMessage(key: string, value: string): string {
  if (SECRET_KEYS.test(key))
    return value.length > 4 ? `${value.slice(0, 2)}…(redacted)` : '(redacted)'
  if (key === 'SMTP_URL' || key === 'DATABASE_URL') return value.replace(/\/\/[^@/]*@/, '//***@')
  return value
}
