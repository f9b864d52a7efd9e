import type { Bot, Context } from 'grammy'
import { handleCallbackQuery } from './callback-handler.js'
import { answerFailure } from './command-replies.js'
import { handleMessage } from './message-handler.js'
import {
  handlePreCheckoutQuery,
  handleSuccessfulPayment,
  type PaymentContext,
} from './payment-handlers.js'
import type { TelegramBotDeps } from './telegram-bot.js'
import type { TelegramContext } from './telegram-context.js'
import type { UpdateJobs } from './telegram-inbox.js'
import { chatKindOf } from './update-mapping.js'

/**
 * The handlers that map updates to the core, payments first, and the failure answer. Updates
 * come from the inbox, which keeps each chat in order; the handlers of an update report its
 * reply to the update's job.
 */
export function installHandlers(
  bot: Bot,
  tg: TelegramContext,
  deps: TelegramBotDeps,
  jobs: UpdateJobs,
): void {
  const { log, sender } = tg
  const withJob = (ctx: Context): TelegramContext => ({ ...tg, job: jobs.of(ctx.update) })
  const stars = deps.stars
  if (stars) {
    const pay: PaymentContext = { checkout: stars, sender, log, answer: deps.answerPreCheckout }
    // A checkout query has its own inbox key: Telegram wants the answer within 10 s.
    bot.on('pre_checkout_query', (ctx) => handlePreCheckoutQuery(pay, ctx))
    bot.on('message:successful_payment', (ctx) => handleSuccessfulPayment(pay, ctx))
  } else {
    bot.on('pre_checkout_query', async (ctx) => {
      log.warn('pre_checkout_query without Stars configured; refused')
      await ctx.answerPreCheckoutQuery(false, {
        error_message: 'Payments are not enabled on this bot right now.',
      })
    })
  }
  bot.on('message:refunded_payment', (ctx) => {
    log.info(
      { chargeId: ctx.message.refunded_payment.telegram_payment_charge_id },
      'telegram reported a refunded Stars payment',
    )
  })
  bot.on('message', (ctx) => handleMessage(withJob(ctx), ctx))
  bot.on('callback_query', (ctx) => handleCallbackQuery(withJob(ctx), ctx))
  bot.catch(async ({ error, ctx }) => {
    const updateId = ctx.update.update_id
    log.error({ err: error, updateId, chatId: ctx.chat?.id }, 'telegram update failed')
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {})
    const chat = ctx.chat
    const kind = chat ? chatKindOf(chat) : undefined
    if (chat && kind) {
      const msg = ctx.msg
      const threadId =
        msg && msg.date !== 0 && msg.is_topic_message ? msg.message_thread_id : undefined
      await answerFailure(tg, { chatId: chat.id, threadId, isGroup: kind === 'group' }, error)
    }
  })
}
