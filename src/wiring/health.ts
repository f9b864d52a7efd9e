import type { Billing } from '../billing/create-billing.js'
import type { ComponentHealth } from '../core/types.js'
import type { Email } from '../email/create-email.js'
import type { LlmGateway } from '../llm/create-llm-gateway.js'
import { disabled, ollamaHealth, pingWithin } from '../platform-health.js'
import type { SqlStores } from '../storage/sql-stores.js'
import type { Bots } from './bots.js'
import type { Stars } from './optional-subsystems.js'

export interface HealthParts extends Bots {
  readonly stores: SqlStores
  readonly llm: LlmGateway
  readonly email: Email | undefined
  readonly billing: Billing | undefined
  readonly stars: Stars['parts']
}

/** Every component's state for `/health`: disabled parts say which variable turns them on. */
export function healthOf(parts: HealthParts): () => Promise<readonly ComponentHealth[]> {
  const { stores, llm, email, billing, stars, discord, telegram } = parts
  return async () => {
    const [db, hosts] = await Promise.all([pingWithin(stores, 2_000), llm.health()])
    return [
      db,
      ollamaHealth(hosts),
      email ? email.health() : disabled('mail', 'set SMTP_URL to enable email'),
      billing
        ? billing.health()
        : disabled('stripe', 'set STRIPE_SECRET_KEY to enable subscriptions'),
      stars
        ? stars.health()
        : disabled('telegram stars', 'set TELEGRAM_STARS_PRICE to sell premium in Telegram'),
      discord ? discord.health() : disabled('discord', 'set DISCORD_TOKEN to enable'),
      telegram ? telegram.health() : disabled('telegram', 'set TELEGRAM_BOT_TOKEN to enable'),
    ]
  }
}

/** One line per part that is off, saying how to turn it on. */
export function logDisabledParts(
  parts: Omit<HealthParts, 'stores' | 'llm' | 'stars'>,
  log: { info(msg: string): void },
): void {
  if (!parts.discord) log.info('Discord is disabled: set DISCORD_TOKEN to enable it')
  if (!parts.telegram) log.info('Telegram is disabled: set TELEGRAM_BOT_TOKEN to enable it')
  if (!parts.billing)
    log.info(
      'Subscriptions are disabled: set STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_PRICE_ID to enable them',
    )
  if (!parts.email) log.info('Email is disabled: set SMTP_URL (and SMTP_FROM) to enable it')
}
