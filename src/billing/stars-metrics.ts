import { Counter, Histogram, type Registry } from 'prom-client'
import type { PreCheckoutRefusal, StarsPaymentKind } from '../core/ports/stars.js'

export type StarsOperation = 'invoice' | 'precheckout' | 'payment' | 'renewal' | 'refund'

/** Telegram Stars counters on `/metrics`. */
export class StarsMetrics {
  readonly #payments: Counter<'kind'>
  readonly #stars: Counter<'kind'>
  readonly #duplicates: Counter
  readonly #refunds: Counter
  readonly #preCheckout: Counter<'outcome'>
  readonly #preCheckoutSeconds: Histogram
  readonly #renewalChanges: Counter<'action'>
  readonly #failures: Counter<'operation'>

  constructor(registry: Registry) {
    const registers = [registry]
    this.#payments = new Counter({
      name: 'justlayme_telegram_stars_payments_total',
      help: 'Telegram Stars payments recorded, by kind (first, renewal, one_time)',
      labelNames: ['kind'] as const,
      registers,
    })
    this.#stars = new Counter({
      name: 'justlayme_telegram_stars_revenue_stars_total',
      help: 'Telegram Stars received, by payment kind',
      labelNames: ['kind'] as const,
      registers,
    })
    this.#duplicates = new Counter({
      name: 'justlayme_telegram_stars_duplicate_payments_total',
      help: 'successful_payment updates ignored because their charge id was already recorded',
      registers,
    })
    this.#refunds = new Counter({
      name: 'justlayme_telegram_stars_refunds_total',
      help: 'Telegram Stars payments refunded',
      registers,
    })
    this.#preCheckout = new Counter({
      name: 'justlayme_telegram_stars_precheckout_total',
      help: 'pre_checkout_query answers, by outcome (ok or the refusal reason)',
      labelNames: ['outcome'] as const,
      registers,
    })
    this.#preCheckoutSeconds = new Histogram({
      name: 'justlayme_telegram_stars_precheckout_seconds',
      help: 'Time to decide a pre_checkout_query answer',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8],
      registers,
    })
    this.#renewalChanges = new Counter({
      name: 'justlayme_telegram_stars_renewal_changes_total',
      help: 'Stars subscription renewals canceled or re-enabled through /billing',
      labelNames: ['action'] as const,
      registers,
    })
    this.#failures = new Counter({
      name: 'justlayme_telegram_stars_failures_total',
      help: 'Telegram Stars operations that failed, by operation',
      labelNames: ['operation'] as const,
      registers,
    })
  }

  payment(kind: StarsPaymentKind, amount: number): void {
    this.#payments.inc({ kind })
    this.#stars.inc({ kind }, amount)
  }

  duplicate(): void {
    this.#duplicates.inc()
  }

  refund(): void {
    this.#refunds.inc()
  }

  preCheckout(outcome: 'ok' | PreCheckoutRefusal, seconds: number): void {
    this.#preCheckout.inc({ outcome })
    this.#preCheckoutSeconds.observe(seconds)
  }

  renewalChange(action: 'cancel' | 'resume'): void {
    this.#renewalChanges.inc({ action })
  }

  failure(operation: StarsOperation): void {
    this.#failures.inc({ operation })
  }
}
