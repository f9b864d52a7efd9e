import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config.js'
import { problemsOf } from '../../helpers/config-problems.js'

const TOKEN = { TELEGRAM_BOT_TOKEN: '123456:ABC-def' }
const STRIPE = {
  STRIPE_SECRET_KEY: 'sk_test_abc',
  STRIPE_WEBHOOK_SECRET: 'whsec_abc',
  STRIPE_PRICE_ID: 'price_abc',
}

describe('Telegram Stars configuration', () => {
  it('is off by default and /subscribe sells through Stripe', () => {
    const config = loadConfig({})
    expect(config.TELEGRAM_STARS_PRICE).toBeUndefined()
    expect(config.TELEGRAM_SUBSCRIBE).toBe('stripe')
    expect(config.PAYSUPPORT_TEXT).toBeUndefined()
  })

  it('defaults TELEGRAM_SUBSCRIBE to stars when a Stars price is set', () => {
    const config = loadConfig({ ...TOKEN, TELEGRAM_STARS_PRICE: '250' })
    expect(config.TELEGRAM_STARS_PRICE).toBe(250)
    expect(config.TELEGRAM_SUBSCRIBE).toBe('stars')
    expect(
      loadConfig({ ...TOKEN, ...STRIPE, TELEGRAM_STARS_PRICE: '1', TELEGRAM_SUBSCRIBE: 'Both' })
        .TELEGRAM_SUBSCRIBE,
    ).toBe('both')
  })

  it('names wrong values and combinations', () => {
    expect(problemsOf({ ...TOKEN, TELEGRAM_STARS_PRICE: '0' })[0]).toMatch(
      /TELEGRAM_STARS_PRICE="0" is not valid: expected an integer from 1 to 10000/,
    )
    expect(problemsOf({ ...TOKEN, TELEGRAM_STARS_PRICE: '10001' })).toHaveLength(1)
    expect(problemsOf({ TELEGRAM_STARS_PRICE: '250' })[0]).toMatch(
      /TELEGRAM_STARS_PRICE needs TELEGRAM_BOT_TOKEN/,
    )
    expect(problemsOf({ ...TOKEN, TELEGRAM_SUBSCRIBE: 'stars' })[0]).toMatch(
      /TELEGRAM_SUBSCRIBE=stars needs TELEGRAM_STARS_PRICE/,
    )
    expect(problemsOf({ ...TOKEN, TELEGRAM_SUBSCRIBE: 'crypto' })[0]).toMatch(
      /expected one of stars, stripe, both/,
    )
    expect(
      problemsOf({ ...TOKEN, TELEGRAM_STARS_PRICE: '5', TELEGRAM_SUBSCRIBE: 'both' })[0],
    ).toMatch(/needs STRIPE_SECRET_KEY/)
    expect(problemsOf({ TERMS_URL: 'ftp://x' })[0]).toMatch(/TERMS_URL/)
  })
})
