import Stripe from 'stripe'

export interface StripeClientOptions {
  readonly secretKey: string
  /** STRIPE_API_URL: another address for the API (a test double or a proxy). */
  readonly apiUrl?: string | undefined
  /** Retries on connection errors, 409 and 5xx, with Stripe's idempotency keys (default 2). */
  readonly maxNetworkRetries?: number | undefined
  readonly timeoutMs?: number | undefined
}

/** A stripe-node client on the SDK's pinned API version (`Stripe.API_VERSION`). */
export function createStripeClient(options: StripeClientOptions): Stripe {
  const address = options.apiUrl ? new URL(options.apiUrl) : undefined
  return new Stripe(options.secretKey, {
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 20_000,
    telemetry: false,
    ...(address
      ? {
          host: address.hostname,
          port: address.port || (address.protocol === 'https:' ? '443' : '80'),
          protocol: address.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  })
}
