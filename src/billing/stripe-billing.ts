import type Stripe from 'stripe'
import type { Logger } from '../core/ports/logger.js'
import type { BillingService } from '../core/ports/services.js'
import type { BillingStores } from './billing-stores.js'
import type { LinkPurpose, LinkTokens } from './link-tokens.js'
import { emptyRecord, isLive } from './subscription-state.js'

/** What opening a link leads to; the routes turn it into a redirect or a page. */
export type LinkResult =
  | { readonly kind: 'redirect'; readonly url: string }
  | { readonly kind: 'expired' | 'invalid' | 'used' }
  | { readonly kind: 'already_subscribed' | 'no_customer' | 'unavailable' }

export interface StripeBillingDeps {
  readonly stripe: Stripe
  readonly stores: BillingStores
  readonly links: LinkTokens
  readonly log: Logger
}

export interface StripeBillingOptions {
  readonly priceId: string
  /** PUBLIC_URL without a trailing slash. */
  readonly publicUrl: string
}

/**
 * Subscriptions through Stripe: personal links to our own routes, which create Checkout and
 * Portal sessions on click, and refunds for admins.
 */
export class StripeBilling implements BillingService {
  readonly #stripe: Stripe
  readonly #stores: BillingStores
  readonly #links: LinkTokens
  readonly #log: Logger
  readonly #priceId: string
  readonly #publicUrl: string
  #lastApiError: string | null = null

  constructor(deps: StripeBillingDeps, options: StripeBillingOptions) {
    this.#stripe = deps.stripe
    this.#stores = deps.stores
    this.#links = deps.links
    this.#log = deps.log
    this.#priceId = options.priceId
    this.#publicUrl = options.publicUrl.replace(/\/+$/, '')
  }

  /** Null after a successful Stripe API call (or none yet); otherwise what the last one hit. */
  get lastApiError(): string | null {
    return this.#lastApiError
  }

  /** Runs one Stripe API call and remembers whether Stripe answered (for `/health`). */
  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      const result = await request()
      this.#lastApiError = null
      return result
    } catch (err) {
      this.#lastApiError = err instanceof Error ? err.constructor.name : 'unknown error'
      throw err
    }
  }

  async subscribeLink(accountId: string, now: number): Promise<string> {
    return `${this.#publicUrl}/subscribe/${this.#links.issue('subscribe', accountId, now)}`
  }

  async billingLink(accountId: string, now: number): Promise<string | null> {
    const record = await this.#stores.subscriptions.get(accountId)
    // A customer made for a checkout that was never paid has nothing to manage yet.
    if (!record?.stripeCustomerId || !record.stripeSubscriptionId) return null
    return `${this.#publicUrl}/billing/${this.#links.issue('billing', accountId, now)}`
  }

  /**
   * Creates a Checkout Session for the account the token names and returns where to send the
   * browser. Tokens are single use: the first open claims it, even if Stripe then fails.
   */
  async openCheckout(token: string, now: number): Promise<LinkResult> {
    const claimed = await this.#claim(token, 'subscribe', now)
    if (claimed.kind !== 'claimed') return claimed
    const accountId = claimed.accountId
    const record = await this.#stores.subscriptions.get(accountId)
    if (record?.stripeSubscriptionId && isLive(record.status)) {
      return { kind: 'already_subscribed' }
    }
    const account = await this.#stores.accounts.get(accountId)
    // The account was deleted since the link was made.
    if (!account) return { kind: 'invalid' }
    const email = account.emailVerified ? account.email : null
    try {
      const customer =
        record?.stripeCustomerId ?? (await this.#ensureCustomer(accountId, email, now))
      const session = await this.#call(() =>
        this.#stripe.checkout.sessions.create(
          {
            mode: 'subscription',
            line_items: [{ price: this.#priceId, quantity: 1 }],
            client_reference_id: accountId,
            subscription_data: { metadata: { account_id: accountId } },
            customer,
            success_url: `${this.#publicUrl}/subscribe/success`,
            cancel_url: `${this.#publicUrl}/subscribe/cancel`,
          },
          { idempotencyKey: `checkout-${claimed.jti}` },
        ),
      )
      if (!session.url) throw new Error(`checkout session ${session.id} has no url`)
      return { kind: 'redirect', url: session.url }
    } catch (err) {
      this.#log.error({ err, accountId }, 'creating a checkout session failed')
      return { kind: 'unavailable' }
    }
  }

  /** Creates a Customer Portal session for the token's account; single use like checkout. */
  async openPortal(token: string, now: number): Promise<LinkResult> {
    const claimed = await this.#claim(token, 'billing', now)
    if (claimed.kind !== 'claimed') return claimed
    const record = await this.#stores.subscriptions.get(claimed.accountId)
    if (!record?.stripeCustomerId) return { kind: 'no_customer' }
    try {
      const customer = record.stripeCustomerId
      const session = await this.#call(() =>
        this.#stripe.billingPortal.sessions.create(
          { customer, return_url: `${this.#publicUrl}/billing/done` },
          { idempotencyKey: `portal-${claimed.jti}` },
        ),
      )
      return { kind: 'redirect', url: session.url }
    } catch (err) {
      this.#log.error({ err, accountId: claimed.accountId }, 'creating a portal session failed')
      return { kind: 'unavailable' }
    }
  }

  async refundLatest(
    accountId: string,
    now: number,
  ): Promise<{ amount: number; currency: string } | null> {
    const record = await this.#stores.subscriptions.get(accountId)
    if (!record?.stripeCustomerId) return null
    const customer = record.stripeCustomerId
    const charges = await this.#call(() => this.#stripe.charges.list({ customer, limit: 20 }))
    const charge = charges.data
      .filter((c) => c.paid && c.status === 'succeeded' && c.amount_refunded < c.amount)
      .sort((a, b) => b.created - a.created)[0]
    if (!charge) return null
    const refund = await this.#call(() =>
      this.#stripe.refunds.create(
        { charge: charge.id },
        { idempotencyKey: `refund-${charge.id}-${charge.amount_refunded}` },
      ),
    )
    await this.#stores.kv.set(
      `refund:${refund.id}`,
      JSON.stringify({
        accountId,
        chargeId: charge.id,
        amount: refund.amount,
        currency: refund.currency,
        at: now,
      }),
    )
    this.#log.info({ accountId, chargeId: charge.id, refundId: refund.id }, 'refund issued')
    return { amount: refund.amount, currency: refund.currency }
  }

  /**
   * One Stripe customer per account, made before its first checkout: every checkout (two links
   * opened side by side too) then bills that customer, so its portal reaches every
   * subscription. The idempotency key makes concurrent first checkouts agree on one customer.
   */
  async #ensureCustomer(accountId: string, email: string | null, now: number): Promise<string> {
    const created = await this.#call(() =>
      this.#stripe.customers.create(
        { ...(email ? { email } : {}), metadata: { account_id: accountId } },
        { idempotencyKey: `customer-${accountId}` },
      ),
    )
    return this.#stores.transaction(async (tx) => {
      const current = (await tx.subscriptions.get(accountId)) ?? emptyRecord(accountId, now)
      if (current.stripeCustomerId) return current.stripeCustomerId
      await tx.subscriptions.upsert({ ...current, stripeCustomerId: created.id, updatedAt: now })
      return created.id
    })
  }

  async #claim(
    token: string,
    purpose: LinkPurpose,
    now: number,
  ): Promise<
    | { kind: 'claimed'; accountId: string; jti: string }
    | { kind: 'expired' }
    | { kind: 'invalid' }
    | { kind: 'used' }
  > {
    const checked = this.#links.check(token, purpose, now)
    if (checked.status !== 'valid') return { kind: checked.status }
    const first = await this.#stores.kv.claim(`link:${purpose}:${checked.jti}`, now)
    if (!first) return { kind: 'used' }
    // A link made before an account merge acts for the account that survived it.
    const accountId = await this.#stores.accounts.survivorOf(checked.accountId)
    if (!accountId) return { kind: 'invalid' }
    return { kind: 'claimed', accountId, jti: checked.jti }
  }
}
