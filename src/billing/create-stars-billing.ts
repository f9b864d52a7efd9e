import type { Registry } from 'prom-client'
import type { Clock } from '../core/ports/clock.js'
import type { Logger } from '../core/ports/logger.js'
import type { TelegramSubscribeMode } from '../core/ports/services.js'
import type { StarsPaymentsApi } from '../core/ports/stars.js'
import type { ComponentHealth } from '../core/types.js'
import type { AccountEmails } from '../email/account-emails.js'
import type { BillingStores } from './billing-stores.js'
import { StarsBilling } from './stars-billing.js'
import { StarsCheckoutHandler } from './stars-checkout.js'
import { StarsMetrics } from './stars-metrics.js'
import { StarsPayloads } from './stars-payload.js'

export interface StarsBillingFactoryDeps {
  readonly stores: BillingStores
  /** The Telegram payment methods (the Telegram adapter's `createTelegramStarsApi`). */
  readonly api: StarsPaymentsApi
  readonly log: Logger
  readonly registry: Registry
  readonly emails?: AccountEmails | undefined
  readonly now?: Clock | undefined
}

export interface StarsBillingFactoryOptions {
  readonly price: number
  readonly mode: TelegramSubscribeMode
  /** LINK_SECRET: signs invoice payloads. */
  readonly linkSecret: string
  readonly payloadTtlMs?: number | undefined
  readonly preCheckoutDeadlineMs?: number | undefined
}

export interface StarsBillingParts {
  /** For commands (`CoreServices.stars`). */
  readonly service: StarsBilling
  /** For the Telegram adapter: pre-checkout answers and payments. */
  readonly checkout: StarsCheckoutHandler
  health(): ComponentHealth
}

/** Everything Telegram Stars: the service for commands, the checkout for the adapter, health. */
export function createStarsBilling(
  deps: StarsBillingFactoryDeps,
  options: StarsBillingFactoryOptions,
): StarsBillingParts {
  const log = deps.log.child({ component: 'stars' })
  const payloads = new StarsPayloads({ secret: options.linkSecret, ttlMs: options.payloadTtlMs })
  const metrics = new StarsMetrics(deps.registry)
  const service = new StarsBilling(
    { stores: deps.stores, api: deps.api, payloads, metrics, log, emails: deps.emails },
    { price: options.price, mode: options.mode },
  )
  const checkout = new StarsCheckoutHandler(
    {
      stores: deps.stores,
      payloads,
      metrics,
      log,
      emails: deps.emails,
      now: deps.now ?? Date.now,
    },
    { price: options.price, preCheckoutDeadlineMs: options.preCheckoutDeadlineMs },
  )
  return {
    service,
    checkout,
    health: () => {
      const failed = service.lastApiError
      return failed
        ? {
            name: 'telegram stars',
            status: 'degraded',
            essential: false,
            detail: `last payment call failed: ${failed}`,
          }
        : {
            name: 'telegram stars',
            status: 'up',
            essential: false,
            detail: `${options.price} Stars / 30 days, /subscribe mode ${options.mode}`,
          }
    },
  }
}
