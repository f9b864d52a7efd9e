import type { FastifyPluginAsync } from 'fastify'
import { Counter, type Registry } from 'prom-client'
import type { Clock } from '../core/ports/clock.js'
import type { Logger } from '../core/ports/logger.js'
import type { Notifier } from '../core/ports/messenger.js'
import type { BillingService } from '../core/ports/services.js'
import type { ComponentHealth } from '../core/types.js'
import type { AccountEmails } from '../email/account-emails.js'
import type { BillingStores } from './billing-stores.js'
import { createStripeClient } from './create-stripe-client.js'
import { LinkTokens } from './link-tokens.js'
import { PendingWork } from './pending-work.js'
import { StripeBilling } from './stripe-billing.js'
import { HANDLED_EVENTS, StripeWebhookProcessor } from './stripe-webhook-processor.js'
import { stripeWebhookRoutes } from './stripe-webhook-routes.js'
import { subscriptionLinkRoutes } from './subscription-link-routes.js'

export interface BillingDeps {
  readonly stores: BillingStores
  readonly log: Logger
  readonly registry: Registry
  /** Tells people in chat when premium starts, a payment fails, or premium ends. */
  readonly notifier?: Notifier | undefined
  /** Enqueues the matching emails in the webhook's transaction. */
  readonly emails?: AccountEmails | undefined
  readonly now?: Clock | undefined
}

export interface BillingOptions {
  readonly secretKey: string
  readonly webhookSecret: string
  readonly priceId: string
  /** STRIPE_API_URL (tests, proxies). */
  readonly apiUrl?: string | undefined
  readonly publicUrl: string
  readonly linkSecret: string
  readonly graceDays: number
  /** Requests per IP per minute on the link routes (default 30). */
  readonly linkRateLimit?: number | undefined
}

export interface Billing {
  readonly service: BillingService
  /** Register on the server: link routes and `POST /webhooks/stripe`. */
  readonly routes: FastifyPluginAsync
  health(): ComponentHealth
  /** Waits for chat notices still being sent; call after the server stopped accepting. */
  close(): Promise<void>
}

const EVENTS_METRIC = 'justlayme_stripe_webhook_events_total'

function eventsCounter(registry: Registry): Counter<'type' | 'outcome'> {
  const existing = registry.getSingleMetric(EVENTS_METRIC)
  if (existing) return existing as Counter<'type' | 'outcome'>
  return new Counter({
    name: EVENTS_METRIC,
    help: 'Stripe webhook requests by event type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  })
}

/** Everything Stripe: the billing service for commands, the HTTP routes, health and shutdown. */
export function createBilling(deps: BillingDeps, options: BillingOptions): Billing {
  const now = deps.now ?? Date.now
  const log = deps.log.child({ component: 'billing' })
  const stripe = createStripeClient({ secretKey: options.secretKey, apiUrl: options.apiUrl })
  const links = new LinkTokens({ secret: options.linkSecret })
  const service = new StripeBilling(
    { stripe, stores: deps.stores, links, log },
    { priceId: options.priceId, publicUrl: options.publicUrl },
  )
  const processor = new StripeWebhookProcessor(
    { stores: deps.stores, log, emails: deps.emails },
    { graceDays: options.graceDays },
  )
  const pending = new PendingWork({ log })
  const events = eventsCounter(deps.registry)
  const notifier = deps.notifier

  const routes: FastifyPluginAsync = async (app) => {
    await app.register(subscriptionLinkRoutes, {
      openCheckout: (token, at) => service.openCheckout(token, at),
      openPortal: (token, at) => service.openPortal(token, at),
      now,
      rateLimitMax: options.linkRateLimit,
    })
    await app.register(stripeWebhookRoutes, {
      webhooks: stripe.webhooks,
      webhookSecret: options.webhookSecret,
      // Unhandled types share one label so a misconfigured endpoint cannot explode the series.
      count: (type, outcome) =>
        events.inc({
          type: HANDLED_EVENTS.has(type) || type === 'unknown' ? type : 'other',
          outcome,
        }),
      onEvent: async (event) => {
        const result = await processor.process(event, now())
        if (notifier) {
          for (const { accountId, kind, notice } of result.notices) {
            pending.run(async () => {
              // A fresh personal link next to the /billing hint when a payment failed.
              const link =
                kind === 'payment_failed' ? await service.billingLink(accountId, now()) : null
              const links = link ? [{ label: 'Update payment method', url: link }] : undefined
              await notifier.notifyAccount(accountId, links ? { ...notice, links } : notice)
            })
          }
        }
        return result.outcome
      },
    })
  }

  return {
    service,
    routes,
    health: () => {
      const failed = service.lastApiError
      return failed
        ? {
            name: 'stripe',
            status: 'degraded',
            essential: false,
            detail: `last API call failed: ${failed}`,
          }
        : { name: 'stripe', status: 'up', essential: false, detail: 'configured' }
    },
    close: () => pending.drain(),
  }
}
