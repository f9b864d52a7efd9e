import type { FastifyPluginAsync } from 'fastify'
import type Stripe from 'stripe'

export const WEBHOOK_BODY_LIMIT = 512 * 1024

export interface StripeWebhookRoutesOptions {
  /** `stripe.webhooks` (or the static `Stripe.webhooks`): verifies signatures. */
  readonly webhooks: Pick<Stripe['webhooks'], 'constructEvent'>
  /** STRIPE_WEBHOOK_SECRET. */
  readonly webhookSecret: string
  /** Applies a verified event; rejects when it could not be applied (Stripe then retries). */
  readonly onEvent: (event: Stripe.Event) => Promise<string>
  /** Counts every request by event type and outcome. */
  readonly count?: ((type: string, outcome: string) => void) | undefined
}

/**
 * `POST /webhooks/stripe`: verifies `Stripe-Signature` over the raw body (400 when missing,
 * forged or stale), then hands the event over and answers 200 with what became of it.
 */
export const stripeWebhookRoutes: FastifyPluginAsync<StripeWebhookRoutesOptions> = async (
  app,
  { webhooks, webhookSecret, onEvent, count },
) => {
  // Scoped to this plugin: the signature is computed over the exact bytes Stripe sent.
  // Events with long invoices can outgrow the server-wide limit meant for people's requests.
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
    (_request, body, done) => {
      done(null, body)
    },
  )

  app.post('/webhooks/stripe', async (request, reply) => {
    const signature = request.headers['stripe-signature']
    const body = request.body
    if (typeof signature !== 'string' || !Buffer.isBuffer(body)) {
      count?.('unknown', 'invalid_signature')
      request.log.warn('stripe webhook without a signature or JSON body')
      return reply.code(400).send({ error: 'invalid_signature', message: 'Missing signature.' })
    }
    let event: Stripe.Event
    try {
      event = webhooks.constructEvent(body, signature, webhookSecret)
    } catch (err) {
      count?.('unknown', 'invalid_signature')
      request.log.warn(
        { reason: err instanceof Error ? err.message : String(err) },
        'stripe webhook signature rejected',
      )
      return reply
        .code(400)
        .send({ error: 'invalid_signature', message: 'Signature verification failed.' })
    }
    try {
      const outcome = await onEvent(event)
      count?.(event.type, outcome)
      request.log.info({ eventId: event.id, type: event.type, outcome }, 'stripe event')
      return { received: true, outcome }
    } catch (err) {
      count?.(event.type, 'error')
      request.log.error({ err, eventId: event.id, type: event.type }, 'stripe event failed')
      return reply.code(500).send({ error: 'internal', message: 'Event not applied; retry later.' })
    }
  })
}
