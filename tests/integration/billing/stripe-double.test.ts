import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStripeClient } from '../../../src/billing/create-stripe-client.js'
import { decodeForm, StripeDouble, signEvent } from '../../doubles/stripe-double.js'

let double: StripeDouble
let stripe: Stripe

beforeAll(async () => {
  double = await StripeDouble.start({ secretKey: 'sk_test_abc', prices: ['price_1', 'price_9'] })
  stripe = createStripeClient({
    secretKey: 'sk_test_abc',
    apiUrl: double.url,
    maxNetworkRetries: 0,
  })
})
afterAll(async () => {
  await double.close()
})

describe('StripeDouble with the real stripe client', () => {
  it('decodes qs-style bracket keys into nested objects and arrays', () => {
    expect(
      decodeForm('line_items[0][price]=p&line_items[0][quantity]=1&expand[0]=x&a[b][c]=d'),
    ).toEqual({
      line_items: [{ price: 'p', quantity: '1' }],
      expand: ['x'],
      a: { b: { c: 'd' } },
    })
  })

  it('answers the same idempotency key with the same object', async () => {
    const before = double.sessions.size
    const params = {
      mode: 'subscription' as const,
      line_items: [{ price: 'price_1', quantity: 1 }],
    }
    const first = await stripe.checkout.sessions.create(params, { idempotencyKey: 'k-1' })
    const second = await stripe.checkout.sessions.create(params, { idempotencyKey: 'k-1' })
    expect(second.id).toBe(first.id)
    expect(double.sessions.size).toBe(before + 1)
    expect(double.requests.at(-1)?.replayed).toBe(true)
  })

  it('refuses a reused idempotency key with other parameters', async () => {
    await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'k-2' })
    await expect(
      stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'k-2' }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
  })

  it('refuses unknown parameters as Stripe does (parameter_unknown)', async () => {
    const attempt = stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: 'price_1', quantity: 1 }],
      // A misspelled parameter, as a typo in our code would send it.
      sucess_url: 'https://example.com/ok',
    } as Stripe.Checkout.SessionCreateParams)
    await expect(attempt).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'parameter_unknown',
      param: 'sucess_url',
      message: 'Received unknown parameter: sucess_url',
    })
  })

  it('refuses a price id that does not exist (resource_missing)', async () => {
    const attempt = stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: 'price_nope', quantity: 1 }],
    })
    await expect(attempt).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      param: 'line_items[0][price]',
    })
  })

  it('refuses a wrong API key', async () => {
    const wrong = createStripeClient({ secretKey: 'sk_test_nope', apiUrl: double.url })
    await expect(wrong.customers.create({})).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    )
  })

  it('refuses customer and customer_email together', async () => {
    const customer = await stripe.customers.create({ email: 'c@example.com' })
    await expect(
      stripe.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price: 'price_1', quantity: 1 }],
        customer: customer.id,
        customer_email: 'c@example.com',
      }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
  })

  it('pays a session into a subscription the client can read and cancel', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: 'price_9', quantity: 1 }],
      subscription_data: { metadata: { account_id: 'acc-9' } },
      customer_email: 'pay@example.com',
    })
    const paid = double.pay(session.id)
    const expanded = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['subscription'],
    })
    const sub = expanded.subscription as Stripe.Subscription
    expect(sub.metadata.account_id).toBe('acc-9')
    expect(sub.items.data[0]?.price.id).toBe('price_9')
    const canceled = await stripe.subscriptions.cancel(paid.subscriptionId)
    expect(canceled.status).toBe('canceled')
    const charges = await stripe.charges.list({ customer: paid.customerId })
    expect(charges.data.map((c) => c.id)).toEqual([paid.chargeId])
  })

  it('builds events that stripe verifies and parses', async () => {
    const customer = await stripe.customers.create({ email: 'e@example.com' })
    const event = double.event('customer.updated', double.customers.get(customer.id) ?? {})
    const { payload, signature } = signEvent(event, 'whsec_x')
    const parsed = stripe.webhooks.constructEvent(payload, signature, 'whsec_x')
    expect(parsed).toMatchObject({ id: event.id, api_version: Stripe.API_VERSION })
  })
})
