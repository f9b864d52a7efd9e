import { autoRetry } from '@grammyjs/auto-retry'
import { Api } from 'grammy'
import type { StarsPaymentsApi } from '../../src/core/ports/stars.js'
import { describeApiFailure } from './polling-failures.js'

export interface TelegramStarsApiOptions {
  /** TELEGRAM_BOT_TOKEN */
  readonly token: string
  /** TELEGRAM_API_ROOT */
  readonly apiRoot?: string | undefined
}

/**
 * The Bot API payment methods over grammY, for the Stars billing. Its own client (no updates,
 * nothing sent before a call), so billing can be built before the bot. Failures are rethrown as
 * plain errors carrying Telegram's description, never the token.
 */
export function createTelegramStarsApi(options: TelegramStarsApiOptions): StarsPaymentsApi {
  const apiRoot = options.apiRoot?.replace(/\/+$/, '')
  const api = new Api(options.token, apiRoot ? { apiRoot } : {})
  // Short: a person is waiting for the answer.
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 10 }))
  const call = async <T>(request: () => Promise<T>): Promise<T> => {
    try {
      return await request()
    } catch (err) {
      const failure = describeApiFailure(err, options.token)
      throw new Error(failure.description ?? failure.reason)
    }
  }
  return {
    createInvoiceLink: (invoice) =>
      call(() =>
        api.createInvoiceLink(
          invoice.title,
          invoice.description,
          invoice.payload,
          '',
          'XTR',
          [{ label: invoice.title, amount: invoice.amount }],
          { subscription_period: invoice.subscriptionPeriod },
        ),
      ),
    editUserStarSubscription: async (userId, chargeId, isCanceled) => {
      await call(() => api.editUserStarSubscription(userId, chargeId, isCanceled))
    },
    refundStarPayment: async (userId, chargeId) => {
      await call(() => api.refundStarPayment(userId, chargeId))
    },
  }
}
