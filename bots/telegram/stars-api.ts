import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
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

/** The payment methods, plus the pre-checkout answer the Telegram adapter sends. */
export interface TelegramStarsApi extends StarsPaymentsApi {
  /** Sent once, without retries: an answer after Telegram's 10 s is worthless. */
  answerPreCheckoutQuery(queryId: string, ok: boolean, errorMessage?: string): Promise<void>
  /** Opens the payment connections ahead of the first checkout (a `getMe`). */
  warm(): Promise<void>
}

/**
 * The Bot API payment methods over grammY, for the Stars billing. Its own client with its own
 * kept-alive connections (no updates, nothing sent before a call): pre-checkout answers never
 * wait for a connection behind chat traffic, and billing can be built before the bot.
 * Failures are rethrown as plain errors carrying Telegram's description, never the token.
 */
export function createTelegramStarsApi(options: TelegramStarsApiOptions): TelegramStarsApi {
  const apiRoot = options.apiRoot?.replace(/\/+$/, '')
  const secure = !apiRoot || apiRoot.startsWith('https:')
  const agentOptions = { keepAlive: true, maxSockets: 4 }
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions)
  // grammY passes baseFetchConfig to node-fetch, which takes an `agent`.
  const fetchConfig = { baseFetchConfig: { agent } as Record<string, unknown> }
  const answers = new Api(options.token, { ...(apiRoot ? { apiRoot } : {}), ...fetchConfig })
  const api = new Api(options.token, { ...(apiRoot ? { apiRoot } : {}), ...fetchConfig })
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
    answerPreCheckoutQuery: async (queryId, ok, errorMessage) => {
      await call(() =>
        answers.answerPreCheckoutQuery(
          queryId,
          ok,
          errorMessage === undefined ? undefined : { error_message: errorMessage },
        ),
      )
    },
    warm: async () => {
      await Promise.all([answers.getMe(), answers.getMe()])
    },
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
