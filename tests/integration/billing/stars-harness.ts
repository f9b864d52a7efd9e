import { join } from 'node:path'
import { Registry } from 'prom-client'
import { createTelegramStarsApi } from '../../../bots/telegram/stars-api.js'
import { createTelegramBot, type TelegramBot } from '../../../bots/telegram/telegram-bot.js'
import { commands } from '../../../commands/index.js'
import {
  createStarsBilling,
  type StarsBillingParts,
} from '../../../src/billing/create-stars-billing.js'
import { SubscriptionEntitlements } from '../../../src/billing/subscription-entitlements.js'
import { createChatCore, type RunningChatCore } from '../../../src/core/create-chat-core.js'
import type { BillingService, TelegramSubscribeMode } from '../../../src/core/ports/services.js'
import { OutboxAccountEmails } from '../../../src/email/outbox-account-emails.js'
import { createLlmGateway, type LlmGateway } from '../../../src/llm/create-llm-gateway.js'
import { FilePersonaRepository } from '../../../src/personas/file-persona-repository.js'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import { createSqlStores, type SqlStores } from '../../../src/storage/sql-stores.js'
import { type OllamaDouble, startOllamaDouble } from '../../doubles/ollama-double.js'
import type { DoubleMessage } from '../../doubles/telegram-double.js'
import { TelegramApiDouble } from '../../doubles/telegram-double.js'
import { startTestReplica, type TestReplica } from '../../helpers/coordination.js'
import { createTestDatabase } from '../../helpers/database.js'
import { silentLogger } from '../../helpers/logger.js'

export const MODEL = 'llama3.2'
export const ADMIN = 4242
export const LINK_SECRET = 'k'.repeat(48)

export interface StarsStackOptions {
  readonly dialect?: 'sqlite' | 'postgres'
  readonly price?: number
  readonly mode?: TelegramSubscribeMode
  /** Stripe as commands see it (links to fictional routes), for the combined modes. */
  readonly stripe?: boolean
  readonly preCheckoutDeadlineMs?: number
}

/** The real grammY bot, the real core and Stars billing over SQL, against the Bot API double. */
export interface StarsStack {
  readonly telegram: TelegramApiDouble
  readonly ollama: OllamaDouble
  readonly stores: SqlStores
  readonly core: RunningChatCore
  readonly stars: StarsBillingParts
  readonly entitlements: SubscriptionEntitlements
  readonly registry: Registry
  readonly bot: TelegramBot
  /** Sends `text` as `userId` in their private chat and waits for the bot's next message there. */
  say(userId: number, text: string): Promise<DoubleMessage>
  /** The next bot message in the private chat of `userId` after `count` messages. */
  nextMessage(userId: number, count: number): Promise<DoubleMessage>
  accountOf(userId: number): Promise<string>
  close(): Promise<void>
}

const stripeBilling: BillingService = {
  subscribeLink: async (accountId) => `https://bots.example.com/subscribe/${accountId}`,
  billingLink: async () => null,
  refundLatest: async () => null,
}

export async function startStarsStack(options: StarsStackOptions = {}): Promise<StarsStack> {
  const log = silentLogger()
  const telegram = await TelegramApiDouble.start()
  const ollama = await startOllamaDouble({ models: [MODEL], loaded: [MODEL] })
  let db: DatabaseHandle | undefined
  let replica: TestReplica | undefined
  let llm: LlmGateway | undefined
  let bot: TelegramBot | undefined
  let core: RunningChatCore | undefined
  const close = async () => {
    await bot?.stop()
    await core?.close(1_000)
    await llm?.close()
    await replica?.close()
    await db?.destroy()
    await ollama.close()
    await telegram.close()
  }
  try {
    db = await createTestDatabase(options.dialect ?? 'sqlite')
    replica = await startTestReplica(db)
    const stores = createSqlStores(db.db)
    const registry = new Registry()
    llm = createLlmGateway(
      { log, registry },
      {
        hosts: [ollama.url],
        defaultModel: MODEL,
        concurrency: 4,
        maxQueue: 20,
        autoPull: false,
        firstTokenTimeoutMs: 20_000,
        idleTimeoutMs: 20_000,
        totalTimeoutMs: 60_000,
        replyCacheMaxKeys: 0,
      },
    )
    const personas = new FilePersonaRepository(
      { log },
      { dir: join(import.meta.dirname, '../../../personas'), defaultModel: MODEL },
    )
    await personas.reload()
    const emails = new OutboxAccountEmails(
      { log },
      { publicUrl: 'https://bots.example.com', adminEmail: 'ops@example.com' },
    )
    const starsApi = createTelegramStarsApi({ token: telegram.token, apiRoot: telegram.apiRoot })
    const stars = createStarsBilling(
      {
        stores,
        api: starsApi,
        log,
        registry,
        emails,
      },
      {
        price: options.price ?? 250,
        mode: options.mode ?? 'stars',
        linkSecret: LINK_SECRET,
        preCheckoutDeadlineMs: options.preCheckoutDeadlineMs,
      },
    )
    const entitlements = new SubscriptionEntitlements({ stores }, { graceDays: 3 })
    core = createChatCore(
      {
        stores,
        llm,
        personas,
        entitlements,
        grants: entitlements,
        billing: options.stripe ? stripeBilling : undefined,
        stars: stars.service,
        commands,
        log,
      },
      {
        defaultModel: MODEL,
        freeDailyMessages: 1_000,
        premiumDailyMessages: 1_000,
        maxInputChars: 4_000,
        freeContextTokens: 4_096,
        premiumContextTokens: 4_096,
        admins: [{ platform: 'telegram', platformUserId: String(ADMIN) }],
        paySupportText: 'Write to pay@example.com.',
        termsUrl: 'https://example.com/terms',
      },
    )
    bot = createTelegramBot(
      {
        core,
        log,
        stars: stars.checkout,
        answerPreCheckout: starsApi.answerPreCheckoutQuery,
        coordination: replica,
      },
      {
        token: telegram.token,
        apiRoot: telegram.apiRoot,
        webhook: false,
        publicUrl: 'https://bots.example.com',
        privateEditIntervalMs: 100,
        groupEditsPerMinute: 600,
        stopGraceMs: 2_000,
      },
    )
    await bot.start()
    const nextMessage = (userId: number, count: number) =>
      telegram.until(() => telegram.botMessages(userId)[count])
    return {
      telegram,
      ollama,
      stores,
      core,
      stars,
      entitlements,
      registry,
      bot,
      nextMessage,
      async say(userId, text) {
        const count = telegram.botMessages(userId).length
        telegram.injectMessage({ chatId: userId, userId, text })
        return nextMessage(userId, count)
      },
      async accountOf(userId) {
        const identity = await stores.accounts.findIdentity('telegram', String(userId))
        if (!identity) throw new Error(`no account for telegram user ${userId}`)
        return identity.accountId
      },
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

/** The URL of the first link button of a bot message. */
export function linkButtons(message: DoubleMessage): { text: string; url: string }[] {
  const markup = message.replyMarkup as
    | { inline_keyboard?: { text: string; url?: string; callback_data?: string }[][] }
    | undefined
  return (markup?.inline_keyboard ?? [])
    .flat()
    .filter((b): b is { text: string; url: string } => typeof b.url === 'string')
}

/** The callback buttons of a bot message. */
export function actionButtons(message: DoubleMessage): { text: string; data: string }[] {
  const markup = message.replyMarkup as
    | { inline_keyboard?: { text: string; callback_data?: string }[][] }
    | undefined
  return (markup?.inline_keyboard ?? [])
    .flat()
    .filter((b) => typeof b.callback_data === 'string')
    .map((b) => ({ text: b.text, data: b.callback_data as string }))
}
