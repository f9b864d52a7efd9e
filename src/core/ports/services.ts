import type { Tier } from '../types.js'

/** Where an account's premium comes from and until when (for `/status`). */
export interface Entitlement {
  readonly tier: Tier
  readonly source: 'subscription' | 'grant' | 'admin' | 'none'
  /** Epoch ms premium lasts until, when known. */
  readonly until: number | null
  /** Stripe status, when there is a subscription. */
  readonly status: string | null
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
