import { join } from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import {
  createTelegramBot,
  type TelegramBot,
  type TelegramBotOptions,
} from '../../../../bots/telegram/telegram-bot.js'
import type { ChatCoreOptions, RunningChatCore } from '../../../../src/core/create-chat-core.js'
import type { Logger } from '../../../../src/core/ports/logger.js'
import type { BillingService } from '../../../../src/core/ports/services.js'
import type { Stores } from '../../../../src/core/ports/stores.js'
import { createLlmGateway, type LlmGateway } from '../../../../src/llm/create-llm-gateway.js'
import { FilePersonaRepository } from '../../../../src/personas/file-persona-repository.js'
import type { DatabaseHandle } from '../../../../src/storage/create-database.js'
import { createSqlStores } from '../../../../src/storage/sql-stores.js'
import { type OllamaDouble, startOllamaDouble } from '../../../doubles/ollama-double.js'
import { TelegramApiDouble } from '../../../doubles/telegram-double.js'
import { createAdapterTestCore } from '../../../helpers/adapter-test-core.js'
import { startTestReplica, type TestReplica } from '../../../helpers/coordination.js'
import { createTestDatabase } from '../../../helpers/database.js'
import { silentLogger } from '../../../helpers/logger.js'

export const MODEL = 'llama3.2'

/** A real grammY bot wired to the real core (SQLite, persona files, LLM gateway) and doubles. */
export interface Stack {
  readonly telegram: TelegramApiDouble
  readonly ollama: OllamaDouble
  readonly core: RunningChatCore
  /** The core's stores, for tests that set up accounts (e.g. a verified email). */
  readonly stores: Stores
  readonly bot: TelegramBot
  close(): Promise<void>
}

/** Billing as commands see it, answering with links to our own (fictional) routes. */
const billing: BillingService = {
  subscribeLink: async (accountId) => `https://bots.example.com/subscribe/${accountId}`,
  billingLink: async () => null,
  refundLatest: async () => null,
}

export async function startStack(
  options: Partial<TelegramBotOptions> = {},
  log: Logger = process.env.TG_DEBUG ? (pino({ level: 'debug' }) as Logger) : silentLogger(),
  coreOptions: Partial<ChatCoreOptions> = {},
): Promise<Stack> {
  const telegram = await TelegramApiDouble.start()
  const ollama = await startOllamaDouble({ models: [MODEL], loaded: [MODEL] })
  let db: DatabaseHandle | undefined
  let llm: LlmGateway | undefined
  let bot: TelegramBot | undefined
  let replica: TestReplica | undefined
  const close = async () => {
    await bot?.stop()
    await core?.close(1_000)
    await llm?.close()
    await replica?.close()
    await db?.destroy()
    await ollama.close()
    await telegram.close()
  }
  let core: RunningChatCore | undefined
  try {
    db = await createTestDatabase('sqlite')
    replica = await startTestReplica(db)
    llm = createLlmGateway(
      { log, registry: new Registry() },
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
      { dir: join(import.meta.dirname, '../../../../personas'), defaultModel: MODEL },
    )
    await personas.reload()
    const stores = createSqlStores(db.db)
    core = createAdapterTestCore({
      stores,
      llm,
      personas,
      billing,
      log,
      model: MODEL,
      options: coreOptions,
    })
    bot = createTelegramBot(
      { core, log, coordination: replica },
      {
        token: telegram.token,
        apiRoot: telegram.apiRoot,
        webhook: false,
        publicUrl: 'https://bots.example.com',
        privateEditIntervalMs: 100,
        groupEditsPerMinute: 600,
        stopGraceMs: 2_000,
        ...options,
      },
    )
    await bot.start()
    return { telegram, ollama, core, stores, bot, close }
  } catch (err) {
    await close()
    throw err
  }
}
