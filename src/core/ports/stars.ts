/** One Telegram Stars subscription of an account (at most one per account). */
export interface StarsSubscriptionRecord {
  readonly accountId: string
  /** The Telegram user who pays; `editUserStarSubscription` needs it. */
  readonly telegramUserId: string
  /** `telegram_payment_charge_id` of the subscription's first payment. */
  readonly chargeId: string
  /** Epoch ms premium lasts until (`subscription_expiration_date`; now after a refund). */
  readonly expiresAt: number
  /** Renewal turned off through `/billing` (the period still runs to `expiresAt`). */
  readonly renewalCanceled: boolean
  readonly updatedAt: number
}

export type StarsPaymentKind = 'first' | 'renewal' | 'one_time'

/** One `successful_payment` in Stars, recorded once by its charge id. */
export interface StarsPaymentRecord {
  readonly chargeId: string
  readonly accountId: string
  readonly telegramUserId: string
  readonly amount: number
  readonly kind: StarsPaymentKind
  /** Epoch ms the payment entitles to. */
  readonly expiresAt: number
  readonly createdAt: number
  readonly refundedAt: number | null
}

/** Stars revenue over a period, for `/admin stats`. */
export interface StarsRevenue {
  readonly payments: number
  readonly stars: number
  readonly refunds: number
  readonly refundedStars: number
}

/** What the core reads of Stars: an account's subscription, revenue and subscriber counts. */
export interface StarsReader {
  getSubscription(accountId: string): Promise<StarsSubscriptionRecord | undefined>
  revenue(sinceMs: number): Promise<StarsRevenue>
  /** Accounts whose Stars premium runs at `now`. */
  countActive(now: number): Promise<number>
}

export interface StarsStore extends StarsReader {
  putSubscription(record: StarsSubscriptionRecord): Promise<void>
  /** Records a payment; false when its charge id was already recorded (a duplicate update). */
  recordPayment(payment: StarsPaymentRecord): Promise<boolean>
  /** The newest payment of the account that was not refunded. */
  latestRefundable(accountId: string): Promise<StarsPaymentRecord | undefined>
  /** Marks a payment refunded; false when unknown or already refunded. */
  markRefunded(chargeId: string, at: number): Promise<boolean>
}

/**
 * The Telegram Bot API payment methods the Stars billing calls; the Telegram adapter
 * implements it over its client. Failures throw with Telegram's description as the message.
 */
export interface StarsPaymentsApi {
  createInvoiceLink(invoice: {
    readonly title: string
    readonly description: string
    readonly payload: string
    readonly amount: number
    readonly subscriptionPeriod: number
  }): Promise<string>
  editUserStarSubscription(userId: number, chargeId: string, isCanceled: boolean): Promise<void>
  refundStarPayment(userId: number, chargeId: string): Promise<void>
}

/** What the Telegram adapter reads from a `pre_checkout_query`. */
export interface PreCheckoutInput {
  readonly telegramUserId: string
  readonly currency: string
  readonly totalAmount: number
  readonly payload: string
}

export type PreCheckoutAnswer =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly code: PreCheckoutRefusal }

export type PreCheckoutRefusal =
  | 'invalid'
  | 'expired'
  | 'used'
  | 'other_account'
  | 'unknown_account'
  | 'price'
  | 'timeout'
  | 'error'

/** What the Telegram adapter reads from a `successful_payment` message. */
export interface StarsPaymentInput {
  readonly telegramUserId: string
  readonly displayName: string
  readonly currency: string
  readonly totalAmount: number
  readonly payload: string
  readonly chargeId: string
  /** Unix seconds; present for subscription payments. */
  readonly subscriptionExpirationDate?: number | undefined
  readonly isRecurring?: boolean | undefined
  readonly isFirstRecurring?: boolean | undefined
}

export interface StarsPaymentResult {
  readonly outcome: 'recorded' | 'duplicate'
  /** The confirmation to send in the chat (null for a duplicate). */
  readonly text: string | null
}

/** The payment side of Stars billing, called by the Telegram adapter. */
export interface StarsCheckout {
  /** Always resolves within the configured deadline (well inside Telegram's 10 s). */
  preCheckout(input: PreCheckoutInput): Promise<PreCheckoutAnswer>
  recordPayment(input: StarsPaymentInput): Promise<StarsPaymentResult>
}
