import { sequentialize } from '@grammyjs/runner'
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
import { chatIdOf, chatKindOf } from './update-mapping.js'

/** The chat (and forum topic) an update belongs to, so updates of one chat run in order. */
function sequenceKey(ctx: Context): string | undefined {
  const chat = ctx.chat
  if (!chat) return undefined
  const msg = ctx.msg
  const topic = msg && msg.date !== 0 && msg.is_topic_message ? msg.message_thread_id : undefined
  return chatIdOf(chat.id, topic)
}

/** The handlers that map updates to the core, payments first, and the failure answer. */
export function installHandlers(bot: Bot, tg: TelegramContext, deps: TelegramBotDeps): void {
  const { log, sender } = tg
  const stars = deps.stars
  if (stars) {
    const pay: PaymentContext = { checkout: stars, sender, log, answer: deps.answerPreCheckout }
    // Before sequencing: Telegram wants the answer within 10 s, whatever the chat is doing.
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
  bot.use(sequentialize(sequenceKey))
  bot.on('message', (ctx) => handleMessage(tg, ctx))
  bot.on('callback_query', (ctx) => handleCallbackQuery(tg, ctx))
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
