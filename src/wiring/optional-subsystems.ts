import type { Logger as PinoLogger } from 'pino'
import type { Registry } from 'prom-client'
import { type Billing, createBilling } from '../billing/create-billing.js'
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
