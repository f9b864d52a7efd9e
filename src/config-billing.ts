import { httpUrl, int, oneOf, str, type VarSpec } from './config-values.js'

/** Telegram Stars and Stripe subscriptions. */
export const BILLING_SPEC = {
  TELEGRAM_STARS_PRICE: int(1, 10_000, '250'),
  TELEGRAM_SUBSCRIBE: oneOf(['stars', 'stripe', 'both'] as const, 'stars'),
  PAYSUPPORT_TEXT: str(
    'the text /paysupport answers',
    'Write to support@example.com about payments.',
  ),
  TERMS_URL: httpUrl('https://example.com/terms'),

  STRIPE_SECRET_KEY: {
    ...str('a Stripe secret key', 'sk_test_...'),
    parse: (r: string) => (/^(sk|rk)_(test|live)_\w+$/.test(r.trim()) ? r.trim() : undefined),
  },
  STRIPE_WEBHOOK_SECRET: {
    ...str('a Stripe webhook signing secret', 'whsec_...'),
    parse: (r: string) => (/^whsec_\w+$/.test(r.trim()) ? r.trim() : undefined),
  },
  STRIPE_PRICE_ID: {
    ...str('a Stripe price id', 'price_123'),
    parse: (r: string) => (/^price_\w+$/.test(r.trim()) ? r.trim() : undefined),
  },
  STRIPE_API_URL: httpUrl('http://127.0.0.1:12111'),
  BILLING_GRACE_DAYS: { ...int(0, 365, '3'), default: '3' },
} satisfies Record<string, VarSpec<unknown>>
