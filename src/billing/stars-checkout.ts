import type { Logger } from '../core/ports/logger.js'
import type {
  PreCheckoutAnswer,
  PreCheckoutInput,
  PreCheckoutRefusal,
  StarsCheckout,
  StarsPaymentInput,
  StarsPaymentKind,
  StarsPaymentResult,
} from '../core/ports/stars.js'
import type { AccountEmails } from '../email/account-emails.js'
import type { BillingStores } from './billing-stores.js'
import { DAY_MS } from './entitlement-rule.js'
import type { StarsMetrics } from './stars-metrics.js'
import type { StarsPayloads } from './stars-payload.js'

export interface StarsCheckoutDeps {
  readonly stores: BillingStores
  readonly payloads: StarsPayloads
  readonly metrics: StarsMetrics
  readonly log: Logger
  readonly emails?: AccountEmails | undefined
  readonly now: () => number
}

export interface StarsCheckoutOptions {
  /** TELEGRAM_STARS_PRICE. */
  readonly price: number
  /** The latest a pre-checkout answer is decided (default 8 s; Telegram allows 10 s). */
  readonly preCheckoutDeadlineMs?: number | undefined
  /** Attempts to record a payment while the database fails (default 5). */
  readonly recordAttempts?: number | undefined
}

const DEFAULT_DEADLINE_MS = 8_000
const PERIOD_MS = 30 * DAY_MS

/** The key a subscription's first payment claims its payload nonce under; the value is its charge id. */
export const nonceKey = (nonce: string) => `stars-nonce:${nonce}`

const REASONS: Record<PreCheckoutRefusal, string> = {
  invalid: 'This invoice is not valid. Run /subscribe to get a new one.',
  expired: 'This invoice has expired. Run /subscribe to get a new one.',
  used: 'This invoice has already been paid. Run /billing to see your subscription.',
  other_account: 'This invoice was made for someone else. Run /subscribe to get your own.',
  unknown_account: 'The account this invoice was made for no longer exists. Run /subscribe again.',
  price: 'The price has changed since this invoice was made. Run /subscribe for the current price.',
  timeout:
    'We could not check this payment in time. Nothing was charged; please try again in a minute.',
  error: 'We could not check this payment. Nothing was charged; please try again in a minute.',
}

const refuse = (code: PreCheckoutRefusal): PreCheckoutAnswer => ({
  ok: false,
  code,
  reason: REASONS[code],
})

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * The payment side of Stars: decides pre-checkout answers (never later than the deadline)
 * and records `successful_payment`s once by charge id, in one transaction with the
 * entitlement change and the receipt email.
 */
export class StarsCheckoutHandler implements StarsCheckout {
  readonly #d: StarsCheckoutDeps
  readonly #price: number
  readonly #deadlineMs: number
  readonly #attempts: number

  constructor(deps: StarsCheckoutDeps, options: StarsCheckoutOptions) {
    this.#d = deps
    this.#price = options.price
    this.#deadlineMs = options.preCheckoutDeadlineMs ?? DEFAULT_DEADLINE_MS
    this.#attempts = options.recordAttempts ?? 5
  }

  async preCheckout(input: PreCheckoutInput): Promise<PreCheckoutAnswer> {
    const started = performance.now()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<PreCheckoutAnswer>((resolve) => {
      timer = setTimeout(() => resolve(refuse('timeout')), this.#deadlineMs)
    })
    const decided = this.#decide(input).catch((err: unknown) => {
      this.#d.log.error({ err }, 'pre-checkout check failed')
      return refuse('error')
    })
    const answer = await Promise.race([decided, deadline])
    clearTimeout(timer)
    const outcome = answer.ok ? 'ok' : answer.code
    this.#d.metrics.preCheckout(outcome, (performance.now() - started) / 1000)
    if (!answer.ok) {
      if (answer.code === 'timeout' || answer.code === 'error')
        this.#d.metrics.failure('precheckout')
      this.#d.log.info(
        { telegramUserId: input.telegramUserId, outcome },
        'stars pre-checkout refused',
      )
    }
    return answer
  }

  async #decide(input: PreCheckoutInput): Promise<PreCheckoutAnswer> {
    const { stores, payloads, now } = this.#d
    const checked = payloads.check(input.payload, now())
    if (checked.status === 'invalid') return refuse('invalid')
    if (input.currency !== 'XTR') return refuse('price')
    const [identity, usedBy] = await Promise.all([
      stores.accounts.findIdentity('telegram', input.telegramUserId),
      stores.kv.get(nonceKey(checked.nonce)),
    ])
    const payer = identity?.accountId
    if (usedBy !== undefined) {
      // A renewal of the payer's own subscription may come with the original payload.
      const own = payer ? await stores.stars.getSubscription(payer) : undefined
      const renewal = own?.chargeId === usedBy && payer === checked.accountId
      return renewal ? { ok: true } : refuse('used')
    }
    if (checked.status === 'expired') return refuse('expired')
    if (checked.price !== this.#price || input.totalAmount !== this.#price) return refuse('price')
    if (!(await stores.accounts.get(checked.accountId))) return refuse('unknown_account')
    if (payer !== checked.accountId) return refuse('other_account')
    return { ok: true }
  }

  async recordPayment(input: StarsPaymentInput): Promise<StarsPaymentResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#record(input)
      } catch (err) {
        if (attempt >= this.#attempts) {
          this.#d.metrics.failure('payment')
          // Everything needed to apply it by hand; no secrets in a payment.
          this.#d.log.error(
            { err, payment: { ...input, displayName: undefined } },
            'recording a Stars payment failed; apply it by hand',
          )
          throw err
        }
        this.#d.log.warn({ err, attempt }, 'recording a Stars payment failed; retrying')
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt))
      }
    }
  }

  async #record(input: StarsPaymentInput): Promise<StarsPaymentResult> {
    const { stores, payloads, now: clock } = this.#d
    const now = clock()
    const kind: StarsPaymentKind =
      input.subscriptionExpirationDate === undefined
        ? 'one_time'
        : input.isRecurring && !input.isFirstRecurring
          ? 'renewal'
          : 'first'
    const expiresAt =
      input.subscriptionExpirationDate === undefined
        ? now + PERIOD_MS
        : input.subscriptionExpirationDate * 1000
    const result = await stores.transaction(async (tx) => {
      // The payer's account: Telegram took the money from this user, whatever the payload says.
      const { account } = await tx.accounts.resolveIdentity(
        'telegram',
        input.telegramUserId,
        input.displayName,
        now,
      )
      const accountId = account.id
      const fresh = await tx.stars.recordPayment({
        chargeId: input.chargeId,
        accountId,
        telegramUserId: input.telegramUserId,
        amount: input.totalAmount,
        kind,
        expiresAt,
        createdAt: now,
        refundedAt: null,
      })
      if (!fresh) return null
      const checked = payloads.check(input.payload, now)
      if (checked.status === 'invalid' || checked.accountId !== accountId) {
        this.#d.log.warn(
          { accountId, chargeId: input.chargeId },
          'stars payment with a payload for another account; premium goes to the payer',
        )
      }
      const current = await tx.stars.getSubscription(accountId)
      const first = kind !== 'renewal' || !current
      if (first && checked.status !== 'invalid') {
        await tx.kv.setIfAbsent(nonceKey(checked.nonce), input.chargeId)
      }
      const until = Math.max(current?.expiresAt ?? 0, expiresAt)
      await tx.stars.putSubscription({
        accountId,
        telegramUserId: input.telegramUserId,
        chargeId: first ? input.chargeId : (current?.chargeId ?? input.chargeId),
        expiresAt: until,
        renewalCanceled: first ? kind === 'one_time' : (current?.renewalCanceled ?? false),
        updatedAt: now,
      })
      await this.#d.emails?.starsReceipt?.(
        tx,
        accountId,
        { amount: input.totalAmount, until, renewal: kind === 'renewal', chargeId: input.chargeId },
        `stars-receipt:${input.chargeId}`,
      )
      return { accountId, until }
    })
    if (!result) {
      this.#d.metrics.duplicate()
      this.#d.log.info({ chargeId: input.chargeId }, 'duplicate Stars payment ignored')
      return { outcome: 'duplicate', text: null }
    }
    this.#d.metrics.payment(kind, input.totalAmount)
    this.#d.log.info(
      { accountId: result.accountId, chargeId: input.chargeId, kind, amount: input.totalAmount },
      'stars payment recorded',
    )
    const text =
      kind === 'renewal'
        ? `Your premium renewed: active until ${day(result.until)} (${input.totalAmount} Stars). Thank you!`
        : kind === 'first'
          ? `Thank you! Premium is active until ${day(result.until)} and renews every 30 days for ${input.totalAmount} Stars. /billing manages it.`
          : `Thank you! Premium is active until ${day(result.until)}.`
    return { outcome: 'recorded', text }
  }
}
