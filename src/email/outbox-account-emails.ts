import type { Clock } from '../core/ports/clock.js'
import type { Logger } from '../core/ports/logger.js'
import type {
  AccountEmails,
  DuplicateSubscriptionInfo,
  NewSubscriberInfo,
  OutboxStores,
  PaymentFailedInfo,
  PremiumStartedInfo,
  RefundInfo,
  StarsEventInfo,
  StarsReceiptInfo,
} from './account-emails.js'
import {
  adminDuplicateSubscriptionEmail,
  adminNewSubscriberEmail,
  adminRefundEmail,
} from './admin-templates.js'
import type { RenderedEmail, TemplateContext } from './email-layout.js'
import { adminStarsEventEmail, starsReceiptEmail } from './stars-templates.js'
import { paymentFailedEmail, premiumEndedEmail, premiumStartedEmail } from './templates.js'

export interface OutboxAccountEmailsDeps {
  readonly log: Logger
  readonly now?: Clock | undefined
}

export interface OutboxAccountEmailsOptions extends TemplateContext {
  /** Normalized ADMIN_EMAIL address; operator mails are skipped without it. */
  readonly adminEmail?: string | undefined
}

/**
 * {@link AccountEmails} over the outbox: each call renders its template and enqueues it
 * through the stores it is given (so inside the caller's transaction). Person mails go to
 * the account's verified address only.
 */
export class OutboxAccountEmails implements AccountEmails {
  readonly #log: Logger
  readonly #now: Clock
  readonly #ctx: TemplateContext
  readonly #adminEmail: string | undefined

  constructor(deps: OutboxAccountEmailsDeps, options: OutboxAccountEmailsOptions) {
    this.#log = deps.log
    this.#now = deps.now ?? Date.now
    this.#ctx = { publicUrl: options.publicUrl.replace(/\/+$/, '') }
    this.#adminEmail = options.adminEmail
  }

  async premiumStarted(
    stores: OutboxStores,
    accountId: string,
    info: PremiumStartedInfo,
    dedupeKey: string,
  ): Promise<void> {
    await this.#toAccount(
      stores,
      accountId,
      'premium_started',
      premiumStartedEmail(this.#ctx, info),
      dedupeKey,
    )
  }

  async paymentFailed(
    stores: OutboxStores,
    accountId: string,
    info: PaymentFailedInfo,
    dedupeKey: string,
  ): Promise<void> {
    await this.#toAccount(
      stores,
      accountId,
      'payment_failed',
      paymentFailedEmail(this.#ctx, info),
      dedupeKey,
    )
  }

  async premiumEnded(stores: OutboxStores, accountId: string, dedupeKey: string): Promise<void> {
    await this.#toAccount(
      stores,
      accountId,
      'premium_ended',
      premiumEndedEmail(this.#ctx),
      dedupeKey,
    )
  }

  async adminNewSubscriber(
    stores: OutboxStores,
    info: NewSubscriberInfo,
    dedupeKey: string,
  ): Promise<void> {
    await this.toAdmin(
      stores,
      'admin_new_subscriber',
      adminNewSubscriberEmail(this.#ctx, info),
      dedupeKey,
    )
  }

  async adminDuplicateSubscription(
    stores: OutboxStores,
    info: DuplicateSubscriptionInfo,
    dedupeKey: string,
  ): Promise<void> {
    await this.toAdmin(
      stores,
      'admin_duplicate_subscription',
      adminDuplicateSubscriptionEmail(this.#ctx, info),
      dedupeKey,
    )
  }

  async adminRefund(stores: OutboxStores, info: RefundInfo, dedupeKey: string): Promise<void> {
    await this.toAdmin(stores, 'admin_refund', adminRefundEmail(this.#ctx, info), dedupeKey)
  }

  async starsReceipt(
    stores: OutboxStores,
    accountId: string,
    info: StarsReceiptInfo,
    dedupeKey: string,
  ): Promise<void> {
    await this.#toAccount(
      stores,
      accountId,
      'stars_receipt',
      starsReceiptEmail(this.#ctx, info),
      dedupeKey,
    )
  }

  async adminStarsEvent(
    stores: OutboxStores,
    info: StarsEventInfo,
    dedupeKey: string,
  ): Promise<void> {
    await this.toAdmin(stores, 'admin_stars', adminStarsEventEmail(this.#ctx, info), dedupeKey)
  }

  /** Enqueues an operator mail; false when there is no ADMIN_EMAIL or the key was used. */
  async toAdmin(
    stores: OutboxStores,
    kind: string,
    mail: RenderedEmail,
    dedupeKey: string,
  ): Promise<boolean> {
    if (!this.#adminEmail) return false
    return this.#enqueue(stores, kind, this.#adminEmail, mail, dedupeKey)
  }

  async #toAccount(
    stores: OutboxStores,
    accountId: string,
    kind: string,
    mail: RenderedEmail,
    dedupeKey: string,
  ): Promise<void> {
    const account = await stores.accounts.get(accountId)
    if (!account?.emailVerified || !account.email) {
      this.#log.debug({ accountId, kind }, 'no verified email; mail skipped')
      return
    }
    await this.#enqueue(stores, kind, account.email, mail, dedupeKey)
  }

  async #enqueue(
    stores: OutboxStores,
    kind: string,
    to: string,
    mail: RenderedEmail,
    dedupeKey: string,
  ): Promise<boolean> {
    const added = await stores.outbox.enqueue({
      kind,
      to,
      ...mail,
      dedupeKey,
      createdAt: this.#now(),
    })
    if (!added) this.#log.debug({ kind, dedupeKey }, 'email already queued; skipped')
    return added
  }
}
