// Row types: stripe subscriptions and events, Telegram Stars subscriptions and payments.
// Times are epoch milliseconds; booleans are 0/1. The `Database` map is in `../database.ts`.

export interface SubscriptionTable {
  account_id: string
  stripe_customer_id: string | null
  stripe_subscription_id: string | null
  status: string | null
  price_id: string | null
  current_period_end: number | null
  cancel_at_period_end: number
  past_due_since: number | null
  last_event_created: number | null
  comp_until: number | null
  updated_at: number
}

export interface StripeEventTable {
  id: string
  type: string
  created: number
  processed_at: number
}

export interface StarsSubscriptionTable {
  account_id: string
  telegram_user_id: string
  charge_id: string
  expires_at: number
  renewal_canceled: number
  updated_at: number
}

export interface StarsPaymentTable {
  charge_id: string
  account_id: string
  telegram_user_id: string
  amount: number
  kind: string
  expires_at: number
  created_at: number
  refunded_at: number | null
}
