import { Registry } from 'prom-client'
import {
  createDiscordBot,
  type DiscordBot,
  type DiscordBotOptions,
} from '../../../../bots/discord/discord-bot.js'
import type { ChatCore } from '../../../../src/core/chat-core.js'
import type { ChatCoreOptions, RunningChatCore } from '../../../../src/core/create-chat-core.js'
import type { Persona, PersonaRepository } from '../../../../src/core/persona.js'
import type { Logger } from '../../../../src/core/ports/logger.js'
import type { Stores } from '../../../../src/core/ports/stores.js'
import { createLlmGateway, type LlmGateway } from '../../../../src/llm/create-llm-gateway.js'
import type { DatabaseHandle } from '../../../../src/storage/create-database.js'
import { createSqlStores } from '../../../../src/storage/sql-stores.js'
import { DiscordDouble, type DiscordDoubleOptions } from '../../../doubles/discord-double.js'
import { type OllamaDouble, startOllamaDouble } from '../../../doubles/ollama-double.js'
import { createAdapterTestCore } from '../../../helpers/adapter-test-core.js'
import { createTestDatabase } from '../../../helpers/database.js'
import { silentLogger } from '../../../helpers/logger.js'

export const MODEL = 'llama3.2'

export function persona(fields: Partial<Persona> & { id: string; name: string }): Persona {
  return {
    description: `${fields.name} is a test persona.`,
    personality: '',
    scenario: '',
    greeting: '',
    alternateGreetings: [],
    exampleDialogues: '',
    systemPrompt: '',
    postHistoryInstructions: '',
    creatorNotes: '',
    lore: [],
    loreScanDepth: 4,
    loreTokenBudget: 200,
    options: {},
    think: false,
    tier: 'free',
    nsfw: false,
    exportable: true,
    tags: [],
    sourceFile: `${fields.id}.yaml`,
    raw: {},
    ...fields,
  }
}

/** Luna is the default (first); Rook has an avatar; Nyx is adults-only. */
export const PERSONAS: readonly Persona[] = [
  persona({ id: 'luna', name: 'Luna', avatarUrl: 'https://example.com/luna.png' }),
  persona({ id: 'rook', name: 'Rook Discord Fan', avatarUrl: 'https://example.com/rook.png' }),
  persona({ id: 'nyx', name: 'Nyx', nsfw: true }),
]

export function personaRepository(list: readonly Persona[]): PersonaRepository {
  return {
    list: () => list,
    get: (id) => list.find((p) => p.id === id),
    find: (q) =>
      list.find((p) => p.id === q) ?? list.find((p) => p.name.toLowerCase() === q.toLowerCase()),
    reload: async () => ({ loaded: list.length, errors: [] }),
    exportCard: (id) => {
      const p = list.find((x) => x.id === id)
      return p ? { spec: 'chara_card_v3', spec_version: '3.0', data: { name: p.name } } : undefined
    },
  }
}

/** The real discord.js bot wired to the real core (SQLite, LLM gateway) and both doubles. */
export interface DiscordStack {
  readonly discord: DiscordDouble
  readonly ollama: OllamaDouble
  readonly core: RunningChatCore
  readonly stores: Stores
  readonly bot: DiscordBot
  close(): Promise<void>
}

export async function startDiscordStack(
  options: {
    bot?: Partial<DiscordBotOptions>
    double?: DiscordDoubleOptions
    webhookPermission?: boolean
    log?: Logger
    /** Lets a test put a decorator between the bot and the real core (e.g. a slow command). */
    wrapCore?: (core: ChatCore) => ChatCore
    /** Core options over the adapter defaults (media limits, models, ADMINS). */
    core?: Partial<ChatCoreOptions>
    personas?: readonly Persona[]
  } = {},
): Promise<DiscordStack> {
  const log = options.log ?? silentLogger()
  const discord = await DiscordDouble.start(options.double)
  discord.webhookPermission = options.webhookPermission ?? true
  const ollama = await startOllamaDouble({ models: [MODEL], loaded: [MODEL] })
  let db: DatabaseHandle | undefined
  let llm: LlmGateway | undefined
  let core: RunningChatCore | undefined
  let bot: DiscordBot | undefined
  const close = async () => {
    await bot?.stop()
    await core?.close(1_000)
    await llm?.close()
    await db?.destroy()
    await ollama.close()
    await discord.close()
  }
  try {
    db = await createTestDatabase('sqlite')
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
        retryBackoffMs: 10,
      },
    )
    const stores = createSqlStores(db.db)
    core = createAdapterTestCore({
      stores,
      llm,
      personas: personaRepository(options.personas ?? PERSONAS),
      log,
      model: MODEL,
      options: options.core,
    })
    bot = createDiscordBot(
      { core: options.wrapCore ? options.wrapCore(core) : core, log },
      {
        token: 'test.discord.token',
        apiUrl: discord.apiUrl,
        guildId: discord.guildId,
        messageContent: false,
        stopTimeoutMs: 2_000,
        ...options.bot,
      },
    )
    await bot.start()
    return { discord, ollama, core, stores, bot, close }
  } catch (err) {
    await close()
    throw err
  }
}
