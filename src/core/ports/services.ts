import type { Tier } from '../types.js'

/** Where premium can come from: a Stripe subscription, Telegram Stars or an admin grant. */
export type PremiumSource = 'stripe' | 'stars' | 'grant'

/** Where an account's premium comes from and until when (for `/status`). */
export interface Entitlement {
  readonly tier: Tier
  readonly source: 'subscription' | 'stars' | 'grant' | 'admin' | 'none'
  /** Epoch ms premium lasts until, when known. */
  readonly until: number | null
  /** Stripe status, when there is a subscription. */
  readonly status: string | null
  /** Every source active now (Stripe and Stars combine); absent means just `source`. */
  readonly sources?: readonly PremiumSource[] | undefined
}

/** Reads an account's tier; implemented over the subscription store. Never throws for unknown accounts. */
export interface EntitlementReader {
  entitlement(accountId: string, now: number): Promise<Entitlement>
}

/**
 * Subscriptions as commands see them; present only when Stripe is configured.
 * Links point at our own routes (`PUBLIC_URL/subscribe/<token>`), never at Stripe.
 */
export interface BillingService {
  subscribeLink(accountId: string, now: number): Promise<string>
  /** Null when the account has no Stripe customer yet. */
  billingLink(accountId: string, now: number): Promise<string | null>
  /** Refunds the latest payment of the account; returns what was refunded, or null if nothing. */
  refundLatest(accountId: string, now: number): Promise<{ amount: number; currency: string } | null>
}

/** Complimentary premium without Stripe (`/admin grant`); works with or without Stripe. */
export interface GrantService {
  grant(accountId: string, days: number, now: number): Promise<{ until: number }>
}

export type StartVerificationResult =
  | { readonly status: 'sent'; readonly email: string }
  | { readonly status: 'invalid_email' }
  | { readonly status: 'rate_limited'; readonly retryAfterSeconds: number }
  | { readonly status: 'already_verified'; readonly email: string }

/** Email verification as commands see it; present only when SMTP is configured. */
export interface VerificationService {
  start(accountId: string, email: string, now: number): Promise<StartVerificationResult>
}

/** How `/subscribe` sells premium on Telegram (TELEGRAM_SUBSCRIBE). */
export type TelegramSubscribeMode = 'stars' | 'stripe' | 'both'

/** An account's Telegram Stars subscription as `/billing` shows it. */
export interface StarsSubscriptionView {
  /** Epoch ms of the next renewal (renewing) or of the end. */
  readonly until: number
  readonly active: boolean
  readonly renewing: boolean
  readonly price: number
}

export type StarsRenewalResult =
  | { readonly status: 'done'; readonly view: StarsSubscriptionView }
  | { readonly status: 'none' }
  | { readonly status: 'failed'; readonly reason: string }

/** Telegram Stars subscriptions as commands see them; present when TELEGRAM_STARS_PRICE is set. */
export interface StarsService {
  /** Stars per 30 days. */
  readonly price: number
  readonly mode: TelegramSubscribeMode
  /** A `createInvoiceLink` link whose payload is signed, single use and bound to the account. */
  invoiceLink(accountId: string, now: number): Promise<string>
  subscription(accountId: string, now: number): Promise<StarsSubscriptionView | null>
  /** Turns renewal off (`renew` false) or back on through `editUserStarSubscription`. */
  setRenewal(accountId: string, renew: boolean, now: number): Promise<StarsRenewalResult>
  /** Refunds the latest Stars payment (`refundStarPayment`) and ends that premium. */
  refundLatest(accountId: string, now: number): Promise<{ amount: number } | null>
}

/** The operator console's sign-in (`/admin console`); present when the console is served. */
export interface ConsoleAccess {
  /** A signed, single-use sign-in link for a listed admin, valid for ten minutes. */
  signInLink(admin: { platform: string; platformUserId: string }, now: number): Promise<string>
  /** Ends every console session; returns how many there were. */
  revokeAll(actor: string, now: number): Promise<number>
}
