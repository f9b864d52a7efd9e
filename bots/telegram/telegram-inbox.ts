import { type Bot, BotError, InlineKeyboard } from 'grammy'
import type { Update } from 'grammy/types'
import type { ClaimedEntry, InboxEntry } from '../../src/coordination/inbox.js'
import type { InboxOutcome, InboxWork } from '../shared/inbox-dispatcher.js'
import type { TelegramContext } from './telegram-context.js'
import { chatIdOf } from './update-mapping.js'

/**
 * Telegram updates through the inbox. The chat key decides what waits for what:
 * - messages wait for the earlier messages of their chat (and forum topic);
 * - button presses each get a key of their own, because they must be answered at once (a Stop
 *   button must work while a reply streams), not after the chat's queue. (Checkout questions
 *   do not come here at all: see `answeredAtOnce`.)
 */
export function inboxEntryOf(update: Update): InboxEntry {
  const message = update.message
  let chatKey: string
  if (message) {
    const topic = message.is_topic_message ? message.message_thread_id : undefined
    chatKey = chatIdOf(message.chat.id, topic)
  } else if (update.callback_query) chatKey = `callback:${update.callback_query.id}`
  else if (update.pre_checkout_query) chatKey = `checkout:${update.pre_checkout_query.id}`
  else chatKey = `update:${update.update_id}`
  return {
    id: `telegram:${update.update_id}`,
    platform: 'telegram',
    chatKey,
    seq: update.update_id,
    payload: JSON.stringify(update),
  }
}

/**
 * Checkout questions skip the inbox: Telegram wants the answer within 10 s, also while the
 * database is slow, and one lost in a crash charges nothing (Telegram tells the payer it failed).
 * The payment itself arrives as a message and goes through the inbox.
 */
export function answeredAtOnce(update: Update): boolean {
  return update.pre_checkout_query !== undefined
}

/** What the handlers of one update report back: replies running, started, or given back. */
export interface UpdateJob {
  /** A reply or command keeps running in the background after the handler returned. */
  track(task: Promise<void>): void
  /** The first message of the reply's text was sent. */
  replyStarted(chatId: number, messageId: number): void
  /** The core cancelled the turn before it began (a drain): the update is handled again later. */
  giveBack(): boolean
}

class Job implements UpdateJob {
  readonly #work: InboxWork
  readonly #tasks: Promise<void>[] = []
  givenBack = false

  constructor(work: InboxWork) {
    this.#work = work
  }

  track(task: Promise<void>): void {
    this.#tasks.push(task.catch(() => {}))
  }

  replyStarted(chatId: number, messageId: number): void {
    this.#work.replyStarted(`${chatId}/${messageId}`)
  }

  giveBack(): boolean {
    this.givenBack = true
    return true
  }

  async settled(): Promise<void> {
    while (this.#tasks.length > 0) await this.#tasks.shift()
  }
}

/** The jobs of the updates being handled, found by their update (grammY keeps the object). */
export class UpdateJobs {
  readonly #jobs = new WeakMap<Update, UpdateJob>()

  of(update: Update): UpdateJob | undefined {
    return this.#jobs.get(update)
  }

  /**
   * Handles one inbox entry: hands the update to grammY, reports it taken once the handlers
   * returned (the core has it), waits for its reply to end and says whether it is done or is
   * to be handled again (given back during a drain).
   */
  async handle(
    bot: Bot,
    tg: TelegramContext,
    entry: ClaimedEntry,
    work: InboxWork,
  ): Promise<InboxOutcome> {
    const update = JSON.parse(entry.payload) as Update
    if (entry.replyRef) {
      await continueCutReply(tg, entry.replyRef)
      return 'finish'
    }
    const job = new Job(work)
    this.#jobs.set(update, job)
    try {
      await bot.handleUpdate(update)
    } catch (err) {
      // grammY leaves failures to its error handler only when it polls itself.
      if (err instanceof BotError) await bot.errorHandler(err)
      else throw err
    } finally {
      this.#jobs.delete(update)
    }
    work.taken()
    await job.settled()
    return job.givenBack ? 'release' : 'finish'
  }
}

/**
 * A replica died while this reply was streaming: its message stays as far as it got, and gets
 * the Regenerate button, rather than a second answer.
 */
async function continueCutReply(tg: TelegramContext, replyRef: string): Promise<void> {
  const [chatId, messageId] = replyRef.split('/').map(Number)
  if (!chatId || !messageId) return
  const keyboard = new InlineKeyboard().text(
    'Regenerate',
    tg.codec.encode({ command: 'regenerate', args: {} }),
  )
  try {
    await tg.api.editMessageReplyMarkup(chatId, messageId, { reply_markup: keyboard })
  } catch (err) {
    tg.log.warn({ err, chatId }, 'telegram: could not offer Regenerate on a cut reply')
  }
  tg.log.info({ chatId, messageId }, 'telegram: took over a reply cut by a stopped replica')
}
