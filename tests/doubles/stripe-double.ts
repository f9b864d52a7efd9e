import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'

/** One API request as stripe-node sent it. */
export interface RecordedRequest {
  readonly method: string
  /** Path without the query string, e.g. `/v1/checkout/sessions`. */
  readonly path: string
  /** Form body (POST) or query (GET) decoded qs-style into nested objects/arrays. */
  readonly params: Record<string, any>
  readonly idempotencyKey: string | undefined
  readonly stripeVersion: string | undefined
  readonly authorization: string | undefined
  /** True when the answer was replayed from the idempotency cache. */
  readonly replayed: boolean
}

export type Obj = Record<string, any>

export interface StripeDoubleOptions {
  /** The only key accepted as `Authorization: Bearer <key>` (default: any `sk_test_` key). */
  readonly secretKey?: string
  /** Epoch ms used for `created` and periods; tests inject their own. */
  readonly now?: () => number
  /** Price ids that exist (default: `DEFAULT_PRICE_ID`); Checkout refuses others. */
  readonly prices?: readonly string[]
}

export interface PayOptions {
  /** Subscription status after paying (default `active`). */
  readonly status?: 'active' | 'trialing'
  readonly amount?: number
  readonly currency?: string
  readonly periodDays?: number
}

const MAX_BODY = 1024 * 1024

function id(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`
}

/** Decodes `a[b][0][c]=x` form/query encoding (what stripe-node sends) into nested values. */
export function decodeForm(text: string): Record<string, any> {
  const root: Record<string, any> = {}
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const head = /^[^[]+/.exec(rawKey)?.[0] ?? rawKey
    const rest = [...rawKey.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '')
    const path = [head, ...rest]
    let node: any = root
    for (let i = 0; i < path.length; i++) {
      const key = path[i] as string
      const last = i === path.length - 1
      const slot = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key
      if (last) {
        node[slot] = value
      } else {
        if (node[slot] === undefined) node[slot] = /^\d+$/.test(path[i + 1] ?? '') ? [] : {}
        node = node[slot]
      }
    }
  }
  return root
}

class ApiError extends Error {
  readonly status: number
  readonly type: string
  readonly param: string | undefined
  readonly code: string | undefined
  constructor(
    status: number,
    message: string,
    param?: string,
    type = 'invalid_request_error',
    code?: string,
  ) {
    super(message)
    this.status = status
    this.type = type
    this.param = param
    this.code = code
  }
}

/** The price a double knows unless a test lists others. */
export const DEFAULT_PRICE_ID = 'price_premium_monthly'

/**
 * Top-level parameters each endpoint accepts (Stripe's API reference); anything else is
 * refused as Stripe refuses it: 400 `parameter_unknown`.
 */
const KNOWN_PARAMS: readonly [string, RegExp, readonly string[]][] = [
  ['POST', /^\/v1\/customers$/, ['email', 'name', 'metadata', 'description', 'phone']],
  [
    'POST',
    /^\/v1\/checkout\/sessions$/,
    [
      'mode',
      'customer',
      'customer_email',
      'customer_creation',
      'line_items',
      'success_url',
      'cancel_url',
      'return_url',
      'client_reference_id',
      'metadata',
      'subscription_data',
      'payment_intent_data',
      'allow_promotion_codes',
      'automatic_tax',
      'billing_address_collection',
      'expires_at',
      'locale',
      'ui_mode',
    ],
  ],
  ['GET', /^\/v1\/checkout\/sessions\/[^/]+$/, []],
  [
    'POST',
    /^\/v1\/billing_portal\/sessions$/,
    ['customer', 'return_url', 'configuration', 'flow_data', 'locale'],
  ],
  ['GET', /^\/v1\/customers\/[^/]+$/, []],
  ['GET', /^\/v1\/subscriptions\/[^/]+$/, []],
  [
    'POST',
    /^\/v1\/subscriptions\/[^/]+$/,
    ['cancel_at_period_end', 'cancel_at', 'metadata', 'pause_collection', 'proration_behavior'],
  ],
  ['DELETE', /^\/v1\/subscriptions\/[^/]+$/, ['invoice_now', 'prorate', 'cancellation_details']],
  [
    'GET',
    /^\/v1\/(invoices|charges)$/,
    ['customer', 'limit', 'starting_after', 'ending_before', 'subscription', 'status', 'created'],
  ],
  [
    'POST',
    /^\/v1\/refunds$/,
    ['charge', 'payment_intent', 'amount', 'reason', 'metadata', 'refund_application_fee'],
  ],
]

function checkKnownParams(method: string, path: string, params: Obj): void {
  const known = KNOWN_PARAMS.find(([verb, pattern]) => verb === method && pattern.test(path))
  if (!known) return
  for (const key of Object.keys(params)) {
    if (key === 'expand' || known[2].includes(key)) continue
    throw new ApiError(
      400,
      `Received unknown parameter: ${key}`,
      key,
      'invalid_request_error',
      'parameter_unknown',
    )
  }
}

/**
 * A local Stripe API (v1) that the real `stripe` package talks to through `host`/`port`/
 * `protocol`: customers, Checkout Sessions, Portal sessions, subscriptions, invoices, charges
 * and refunds, with Bearer auth and idempotency keys. It keeps state, records every request,
 * and builds and signs the webhook events that state implies (current API version shapes).
 */
export class StripeDouble {
  readonly requests: RecordedRequest[] = []
  readonly customers = new Map<string, Obj>()
  readonly sessions = new Map<string, Obj>()
  readonly portalSessions = new Map<string, Obj>()
  readonly subscriptions = new Map<string, Obj>()
  readonly invoices = new Map<string, Obj>()
  readonly charges = new Map<string, Obj>()
  readonly refunds = new Map<string, Obj>()
  readonly #idempotent = new Map<string, { body: string; status: number; response: string }>()
  readonly #server: Server
  readonly #secretKey: string | undefined
  readonly #now: () => number
  /** Price ids that exist in this account: Checkout refuses any other. */
  readonly prices: Set<string>
  #failures: { status: number; remaining: number } | null = null
  #url = ''

  private constructor(options: StripeDoubleOptions) {
    this.#secretKey = options.secretKey
    this.#now = options.now ?? Date.now
    this.prices = new Set(options.prices ?? [DEFAULT_PRICE_ID])
    this.#server = createServer((req, res) => {
      // An aborted request must not become an unhandled rejection in the test process.
      this.#handle(req, res).catch(() => res.destroy())
    })
  }

  static async start(options: StripeDoubleOptions = {}): Promise<StripeDouble> {
    const double = new StripeDouble(options)
    await new Promise<void>((resolve) => double.#server.listen(0, '127.0.0.1', resolve))
    const { port } = double.#server.address() as AddressInfo
    double.#url = `http://127.0.0.1:${port}`
    return double
  }

  /** Base URL, e.g. for `STRIPE_API_URL`. */
  get url(): string {
    return this.#url
  }

  /** The `host`/`port`/`protocol` options for `new Stripe(key, ...)`. */
  get clientOptions(): { host: string; port: number; protocol: 'http' } {
    return { host: '127.0.0.1', port: Number(new URL(this.#url).port), protocol: 'http' }
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  /** The next `count` API requests answer `status` (e.g. 500 to test outages). */
  failNext(count: number, status = 500): void {
    this.#failures = { status, remaining: count }
  }

  /** Requests to one method + path (`POST /v1/checkout/sessions`). */
  calls(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path)
  }

  #nowSeconds(): number {
    return Math.floor(this.#now() / 1000)
  }

  // ---- HTTP ----

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#url)
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > MAX_BODY) {
        res.writeHead(413).end()
        return
      }
      chunks.push(chunk as Buffer)
    }
    const bodyText = Buffer.concat(chunks).toString('utf8')
    const method = req.method ?? 'GET'
    const header = (name: string) => {
      const v = req.headers[name]
      return Array.isArray(v) ? v[0] : v
    }
    const params = decodeForm(
      method === 'GET' || method === 'DELETE' ? url.search.slice(1) : bodyText,
    )
    const idempotencyKey = header('idempotency-key')
    const cached = idempotencyKey ? this.#idempotent.get(idempotencyKey) : undefined
    this.requests.push({
      method,
      path: url.pathname,
      params,
      idempotencyKey,
      stripeVersion: header('stripe-version'),
      authorization: header('authorization'),
      replayed: cached !== undefined && cached.body === bodyText,
    })

    if (url.pathname.startsWith('/pay/') || url.pathname.startsWith('/portal/')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Stripe double</h1>')
      return
    }
    const send = (status: number, payload: unknown) => {
      const response = JSON.stringify(payload)
      if (idempotencyKey && method === 'POST' && status < 500) {
        this.#idempotent.set(idempotencyKey, { body: bodyText, status, response })
      }
      res
        .writeHead(status, {
          'content-type': 'application/json',
          'request-id': id('req'),
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        })
        .end(response)
    }
    const sendError = (err: ApiError) =>
      send(err.status, {
        error: { type: err.type, message: err.message, param: err.param, code: err.code },
      })

    if (!this.#authorized(header('authorization'))) {
      sendError(new ApiError(401, 'Invalid API Key provided', undefined, 'invalid_request_error'))
      return
    }
    if (this.#failures && this.#failures.remaining > 0) {
      this.#failures.remaining -= 1
      res
        .writeHead(this.#failures.status, {
          'content-type': 'application/json',
          'stripe-should-retry': 'false',
        })
        .end(JSON.stringify({ error: { type: 'api_error', message: 'Injected failure' } }))
      return
    }
    if (cached) {
      if (cached.body !== bodyText) {
        sendError(
          new ApiError(
            400,
            'Keys for idempotent requests can only be used with the same parameters they were first used with.',
            undefined,
            'idempotency_error',
          ),
        )
        return
      }
      res
        .writeHead(cached.status, {
          'content-type': 'application/json',
          'idempotent-replayed': 'true',
        })
        .end(cached.response)
      return
    }
    try {
      checkKnownParams(method, url.pathname, params)
      send(200, this.#route(method, url.pathname, params))
    } catch (err) {
      if (err instanceof ApiError) sendError(err)
      else sendError(new ApiError(500, String(err), undefined, 'api_error'))
    }
  }

  #authorized(value: string | undefined): boolean {
    const key = /^Bearer (.+)$/.exec(value ?? '')?.[1]
    if (!key) return false
    return this.#secretKey ? key === this.#secretKey : key.startsWith('sk_test_')
  }

  #route(method: string, path: string, p: Obj): unknown {
    const routes: [string, RegExp, (id: string) => unknown][] = [
      ['POST', /^\/v1\/customers$/, () => this.#createCustomer(p)],
      ['GET', /^\/v1\/customers\/([^/]+)$/, (x) => this.#get(this.customers, x, 'customer')],
      ['POST', /^\/v1\/checkout\/sessions$/, () => this.#createSession(p)],
      ['GET', /^\/v1\/checkout\/sessions\/([^/]+)$/, (x) => this.#retrieveSession(x, p)],
      ['POST', /^\/v1\/billing_portal\/sessions$/, () => this.#createPortalSession(p)],
      [
        'GET',
        /^\/v1\/subscriptions\/([^/]+)$/,
        (x) => this.#get(this.subscriptions, x, 'subscription'),
      ],
      ['POST', /^\/v1\/subscriptions\/([^/]+)$/, (x) => this.#updateSubscription(x, p)],
      ['DELETE', /^\/v1\/subscriptions\/([^/]+)$/, (x) => this.#cancel(x)],
      ['GET', /^\/v1\/invoices$/, () => this.#list('/v1/invoices', this.invoices, p)],
      ['GET', /^\/v1\/charges$/, () => this.#list('/v1/charges', this.charges, p)],
      ['POST', /^\/v1\/refunds$/, () => this.#createRefund(p)],
    ]
    for (const [verb, pattern, handler] of routes) {
      const match = verb === method ? pattern.exec(path) : null
      if (match) return handler(match[1] ?? '')
    }
    throw new ApiError(404, `Unrecognized request URL (${method}: ${path}).`)
  }

  #cancel(subscriptionId: string): Obj {
    this.#get(this.subscriptions, subscriptionId, 'subscription')
    return this.cancelSubscription(subscriptionId)
  }

  #get(map: Map<string, Obj>, objectId: string | undefined, kind: string): Obj {
    const found = objectId ? map.get(objectId) : undefined
    if (!found) throw new ApiError(404, `No such ${kind}: '${objectId}'`, 'id')
    return found
  }

  #list(url: string, map: Map<string, Obj>, p: Obj): Obj {
    const limit = Math.min(Number(p.limit ?? 10), 100)
    const data = [...map.values()]
      .filter((o) => !p.customer || o.customer === p.customer)
      .sort((a, b) => b.created - a.created)
    return { object: 'list', url, has_more: data.length > limit, data: data.slice(0, limit) }
  }

  #createCustomer(p: Obj): Obj {
    const customer = {
      id: id('cus'),
      object: 'customer',
      email: p.email ?? null,
      metadata: p.metadata ?? {},
      created: this.#nowSeconds(),
      livemode: false,
    }
    this.customers.set(customer.id, customer)
    return customer
  }

  #createSession(p: Obj): Obj {
    if (!p.mode) throw new ApiError(400, 'Missing required param: mode.', 'mode')
    if (p.customer && p.customer_email) {
      throw new ApiError(
        400,
        'You may only specify one of these parameters: customer, customer_email.',
        'customer_email',
      )
    }
    if (p.customer && !this.customers.has(p.customer)) {
      throw new ApiError(400, `No such customer: '${p.customer}'`, 'customer')
    }
    const items: Obj[] = p.line_items ?? []
    if (p.mode === 'subscription' && (items.length === 0 || !items[0]?.price)) {
      throw new ApiError(
        400,
        'line_items[0][price] is required in subscription mode.',
        'line_items',
      )
    }
    items.forEach((item, i) => {
      if (item.price && !this.prices.has(item.price)) {
        throw new ApiError(
          400,
          `No such price: '${item.price}'`,
          `line_items[${i}][price]`,
          'invalid_request_error',
          'resource_missing',
        )
      }
    })
    const sessionId = `cs_test_${randomBytes(16).toString('hex')}`
    const session = {
      id: sessionId,
      object: 'checkout.session',
      mode: p.mode,
      status: 'open',
      payment_status: 'unpaid',
      url: `${this.#url}/pay/${sessionId}`,
      client_reference_id: p.client_reference_id ?? null,
      customer: p.customer ?? null,
      customer_email: p.customer_email ?? null,
      customer_details: null,
      metadata: p.metadata ?? {},
      subscription: null,
      invoice: null,
      amount_total: null,
      currency: null,
      success_url: p.success_url ?? null,
      cancel_url: p.cancel_url ?? null,
      created: this.#nowSeconds(),
      expires_at: this.#nowSeconds() + 86_400,
      livemode: false,
      // Kept for `pay()`; Stripe does not return these on the session.
      line_items_requested: items,
      subscription_data_requested: p.subscription_data ?? {},
    }
    this.sessions.set(sessionId, session)
    return session
  }

  #retrieveSession(sessionId: string, p: Obj): Obj {
    const session = this.#get(this.sessions, sessionId, 'checkout.session')
    const expand: string[] = p.expand ?? []
    if (expand.includes('subscription') && session.subscription) {
      return { ...session, subscription: this.subscriptions.get(session.subscription) ?? null }
    }
    return session
  }

  #createPortalSession(p: Obj): Obj {
    if (!p.customer || !this.customers.has(p.customer)) {
      throw new ApiError(400, `No such customer: '${p.customer}'`, 'customer')
    }
    const portal = {
      id: id('bps'),
      object: 'billing_portal.session',
      customer: p.customer,
      return_url: p.return_url ?? null,
      url: '',
      created: this.#nowSeconds(),
      livemode: false,
      configuration: id('bpc'),
      flow: null,
      locale: null,
    }
    portal.url = `${this.#url}/portal/${portal.id}`
    this.portalSessions.set(portal.id, portal)
    return portal
  }

  #updateSubscription(subscriptionId: string, p: Obj): Obj {
    const sub = this.#get(this.subscriptions, subscriptionId, 'subscription')
    if (p.cancel_at_period_end !== undefined) {
      sub.cancel_at_period_end = p.cancel_at_period_end === 'true'
    }
    if (p.metadata) sub.metadata = { ...sub.metadata, ...p.metadata }
    return sub
  }

  #createRefund(p: Obj): Obj {
    const charge = this.#get(this.charges, p.charge, 'charge')
    const remaining = charge.amount - charge.amount_refunded
    const amount = p.amount ? Number(p.amount) : remaining
    if (remaining <= 0) {
      throw new ApiError(400, `Charge ${charge.id} has already been refunded.`, 'charge')
    }
    if (amount > remaining) throw new ApiError(400, 'Refund amount exceeds charge.', 'amount')
    const refund = {
      id: id('re'),
      object: 'refund',
      amount,
      currency: charge.currency,
      charge: charge.id,
      status: 'succeeded',
      created: this.#nowSeconds(),
    }
    charge.amount_refunded += amount
    charge.refunded = charge.amount_refunded >= charge.amount
    this.refunds.set(refund.id, refund)
    return refund
  }

  // ---- State changes a real customer or Stripe's billing engine would cause ----

  /**
   * Completes a Checkout Session as if the person paid: creates (or reuses) the customer, an
   * active subscription carrying `subscription_data.metadata`, a paid invoice and its charge.
   */
  pay(
    sessionId: string,
    options: PayOptions = {},
  ): { customerId: string; subscriptionId: string; invoiceId: string; chargeId: string } {
    const session = this.#get(this.sessions, sessionId, 'checkout.session')
    const customerId: string =
      session.customer ?? this.#createCustomer({ email: session.customer_email }).id
    const now = this.#nowSeconds()
    const periodEnd = now + (options.periodDays ?? 30) * 86_400
    const amount = options.amount ?? 999
    const currency = options.currency ?? 'usd'
    const priceId: string = session.line_items_requested[0]?.price ?? 'price_unknown'
    const subscriptionId = id('sub')
    const subscription = {
      id: subscriptionId,
      object: 'subscription',
      customer: customerId,
      status: options.status ?? 'active',
      metadata: { ...(session.subscription_data_requested.metadata ?? {}) },
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      ended_at: null,
      created: now,
      start_date: now,
      latest_invoice: null as string | null,
      livemode: false,
      items: {
        object: 'list',
        has_more: false,
        url: `/v1/subscription_items?subscription=${subscriptionId}`,
        data: [
          {
            id: id('si'),
            object: 'subscription_item',
            subscription: subscriptionId,
            quantity: 1,
            current_period_start: now,
            current_period_end: periodEnd,
            price: {
              id: priceId,
              object: 'price',
              currency,
              unit_amount: amount,
              recurring: { interval: 'month', interval_count: 1 },
            },
          },
        ],
      },
    }
    this.subscriptions.set(subscriptionId, subscription)
    const { invoiceId, chargeId } = this.#invoice(subscription, 'paid', 'subscription_create')
    Object.assign(session, {
      status: 'complete',
      payment_status: 'paid',
      customer: customerId,
      subscription: subscriptionId,
      invoice: invoiceId,
      amount_total: amount,
      currency,
      customer_details: { email: this.customers.get(customerId)?.email ?? null },
    })
    return { customerId, subscriptionId, invoiceId, chargeId }
  }

  /** Changes a subscription the way Stripe would (status, period, cancel flags). */
  updateSubscription(subscriptionId: string, patch: Obj): Obj {
    const sub = this.#get(this.subscriptions, subscriptionId, 'subscription')
    Object.assign(sub, patch)
    return sub
  }

  /** Cancels now: status `canceled`, as after `DELETE /v1/subscriptions/:id`. */
  cancelSubscription(subscriptionId: string): Obj {
    const now = this.#nowSeconds()
    return this.updateSubscription(subscriptionId, {
      status: 'canceled',
      canceled_at: now,
      ended_at: now,
    })
  }

  /** A renewal that failed: an open invoice with `attempt_count` and the subscription past_due. */
  failRenewal(subscriptionId: string): { invoiceId: string } {
    const sub = this.updateSubscription(subscriptionId, { status: 'past_due' })
    const { invoiceId } = this.#invoice(sub, 'open', 'subscription_cycle')
    return { invoiceId }
  }

  /** A renewal that was paid: the period moves on by `periodDays` and a paid invoice exists. */
  renew(subscriptionId: string, periodDays = 30): { invoiceId: string; chargeId: string } {
    const sub = this.#get(this.subscriptions, subscriptionId, 'subscription')
    const item = sub.items.data[0]
    item.current_period_start = item.current_period_end
    item.current_period_end = item.current_period_end + periodDays * 86_400
    sub.status = 'active'
    return this.#invoice(sub, 'paid', 'subscription_cycle')
  }

  #invoice(
    sub: Obj,
    status: 'paid' | 'open',
    reason: string,
  ): { invoiceId: string; chargeId: string } {
    const item = sub.items.data[0]
    const amount: number = item.price.unit_amount
    const currency: string = item.price.currency
    const invoiceId = id('in')
    const chargeId = id('ch')
    const now = this.#nowSeconds()
    const invoice = {
      id: invoiceId,
      object: 'invoice',
      customer: sub.customer,
      status,
      billing_reason: reason,
      amount_due: amount,
      amount_paid: status === 'paid' ? amount : 0,
      amount_remaining: status === 'paid' ? 0 : amount,
      currency,
      attempt_count: 1,
      attempted: true,
      hosted_invoice_url: `${this.#url}/invoice/${invoiceId}`,
      created: now,
      livemode: false,
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } },
      },
      lines: {
        object: 'list',
        has_more: false,
        url: `/v1/invoices/${invoiceId}/lines`,
        data: [
          {
            id: id('il'),
            object: 'line_item',
            amount,
            currency,
            period: { start: item.current_period_start, end: item.current_period_end },
          },
        ],
      },
    }
    this.invoices.set(invoiceId, invoice)
    sub.latest_invoice = invoiceId
    this.charges.set(chargeId, {
      id: chargeId,
      object: 'charge',
      customer: sub.customer,
      amount,
      amount_refunded: 0,
      currency,
      paid: status === 'paid',
      refunded: false,
      status: status === 'paid' ? 'succeeded' : 'failed',
      created: now,
      livemode: false,
    })
    return { invoiceId, chargeId }
  }

  // ---- Webhook events ----

  /** An event envelope around a snapshot of `object` (current API version). */
  event(type: string, object: Obj, options: { created?: number; previous?: Obj } = {}): Obj {
    return {
      id: id('evt'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: options.created ?? this.#nowSeconds(),
      data: {
        object: structuredClone(object),
        ...(options.previous ? { previous_attributes: options.previous } : {}),
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    }
  }

  checkoutCompleted(sessionId: string, created?: number): Obj {
    const session = this.#get(this.sessions, sessionId, 'checkout.session')
    const { line_items_requested: _l, subscription_data_requested: _s, ...visible } = session
    return this.event('checkout.session.completed', visible, { created })
  }

  subscriptionEvent(
    type: 'created' | 'updated' | 'deleted',
    subscriptionId: string,
    created?: number,
  ): Obj {
    const sub = this.#get(this.subscriptions, subscriptionId, 'subscription')
    return this.event(`customer.subscription.${type}`, sub, { created })
  }

  invoiceEvent(type: 'paid' | 'payment_failed', invoiceId: string, created?: number): Obj {
    const invoice = this.#get(this.invoices, invoiceId, 'invoice')
    return this.event(`invoice.${type}`, invoice, { created })
  }

  chargeRefunded(chargeId: string, created?: number): Obj {
    return this.event('charge.refunded', this.#get(this.charges, chargeId, 'charge'), { created })
  }
}

/** Serializes and signs an event with stripe's own test-header generator. */
export function signEvent(
  event: Obj,
  secret: string,
  timestamp?: number,
): { payload: string; signature: string } {
  const payload = JSON.stringify(event, null, 2)
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp !== undefined ? { timestamp } : {}),
  })
  return { payload, signature }
}

/** POSTs a signed event to a webhook URL the way Stripe does; returns status and JSON body. */
export async function deliverEvent(
  url: string,
  event: Obj,
  options: { secret: string; timestamp?: number; signature?: string },
): Promise<{ status: number; body: any }> {
  const signed = signEvent(event, options.secret, options.timestamp)
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'stripe-signature': options.signature ?? signed.signature,
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    },
    body: signed.payload,
  })
  const text = await response.text()
  let body: any = text
  try {
    body = JSON.parse(text)
  } catch {}
  return { status: response.status, body }
}
