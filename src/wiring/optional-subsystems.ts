import type { Logger as PinoLogger } from 'pino'
import type { Registry } from 'prom-client'
import { createTelegramStarsApi, type TelegramStarsApi } from '../../bots/telegram/stars-api.js'
import { type Billing, createBilling } from '../billing/create-billing.js'
import { createStarsBilling, type StarsBillingParts } from '../billing/create-stars-billing.js'
import type { Config } from '../config.js'
import type { Notifier } from '../core/ports/messenger.js'
import { createEmail, type Email } from '../email/create-email.js'
import type { SqlStores } from '../storage/sql-stores.js'

export interface SubsystemDeps {
  readonly stores: SqlStores
  readonly log: PinoLogger
  readonly registry: Registry
  readonly notifier: Notifier
}

/** Email when SMTP_URL is set. */
export function emailFrom(config: Config, deps: SubsystemDeps): Email | undefined {
  return config.SMTP_URL
    ? createEmail(deps, {
        smtpUrl: config.SMTP_URL,
        from: config.SMTP_FROM,
        adminEmail: config.ADMIN_EMAIL,
        publicUrl: config.PUBLIC_URL,
        // Each mail's claim is renewed right before it is sent, so a short lease is safe, and
        // the mails a dead (or restarted) process had claimed go out within this time.
        claimLeaseMs: config.REPLICA_TIMEOUT_MS,
      })
    : undefined
}

/** Subscriptions when STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_PRICE_ID are set. */
export function billingFrom(
  config: Config,
  deps: SubsystemDeps & { readonly email: Email | undefined; readonly linkSecret: string },
): Billing | undefined {
  const { email, linkSecret, ...rest } = deps
  return config.STRIPE_SECRET_KEY && config.STRIPE_WEBHOOK_SECRET && config.STRIPE_PRICE_ID
    ? createBilling(
        { ...rest, emails: email?.emails },
        {
          secretKey: config.STRIPE_SECRET_KEY,
          webhookSecret: config.STRIPE_WEBHOOK_SECRET,
          priceId: config.STRIPE_PRICE_ID,
          apiUrl: config.STRIPE_API_URL,
          publicUrl: config.PUBLIC_URL,
          linkSecret,
          graceDays: config.BILLING_GRACE_DAYS,
        },
      )
    : undefined
}

export interface Stars {
  readonly api: TelegramStarsApi | undefined
  readonly parts: StarsBillingParts | undefined
}

/** Premium sold in Telegram Stars when TELEGRAM_STARS_PRICE and TELEGRAM_BOT_TOKEN are set. */
export function starsFrom(
  config: Config,
  deps: Omit<SubsystemDeps, 'notifier'> & {
    readonly email: Email | undefined
    readonly linkSecret: string
  },
): Stars {
  const { stores, log, registry, email, linkSecret } = deps
  const starsApi =
    config.TELEGRAM_STARS_PRICE !== undefined && config.TELEGRAM_BOT_TOKEN
      ? createTelegramStarsApi({
          token: config.TELEGRAM_BOT_TOKEN,
          apiRoot: config.TELEGRAM_API_ROOT,
        })
      : undefined
  const stars: StarsBillingParts | undefined =
    config.TELEGRAM_STARS_PRICE !== undefined && starsApi
      ? createStarsBilling(
          {
            stores,
            api: starsApi,
            log,
            registry,
            emails: email?.emails,
          },
          { price: config.TELEGRAM_STARS_PRICE, mode: config.TELEGRAM_SUBSCRIBE, linkSecret },
        )
      : undefined
  return { api: starsApi, parts: stars }
}
