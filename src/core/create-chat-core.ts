import { AccountService } from './account-service.js'
import { AdminService } from './admin-service.js'
import { DEFAULT_MEDIA_OPTIONS, type MediaOptions } from './attachments/attachment.js'
import { MediaTurns } from './attachments/media-turn.js'
import type { ChatCore, CommandDescriptor } from './chat-core.js'
import type { Command } from './command.js'
import { CommandRunner } from './command-runner.js'
import type { CommandServices } from './command-services.js'
import { ConversationService } from './conversation-service.js'
import { WindowHints } from './load-context.js'
import { MemoryWriter } from './memory-writer.js'
import { ModelChoice } from './model-choice.js'
import { ModelService } from './model-service.js'
import { openConversation } from './open-conversation.js'
import type { PersonaRepository } from './persona.js'
import { PersonaService } from './persona-service.js'
import type { Clock } from './ports/clock.js'
import type { ExportFiles } from './ports/export-files.js'
import type { LlmClient } from './ports/llm.js'
import type { Logger } from './ports/logger.js'
import type { ReplicaDirectory } from './ports/replicas.js'
import type {
  BillingService,
  ConsoleAccess,
  EntitlementReader,
  GrantService,
  StarsService,
  VerificationService,
} from './ports/services.js'
import type { Stores } from './ports/stores.js'
import { ReplyEngine } from './reply-engine.js'
import { Rules } from './rules.js'
import { SettingsService } from './settings-service.js'
import { TokenEstimator } from './token-estimator.js'
import type { Platform } from './types.js'

/** What /paysupport answers when PAYSUPPORT_TEXT is unset. */
export const DEFAULT_PAYSUPPORT_TEXT =
  'For help with a payment or a refund, write to the operator of this bot. Please include the date of the payment.'

export interface ChatCoreDeps {
  readonly stores: Stores
  readonly llm: LlmClient
  readonly personas: PersonaRepository
  readonly entitlements: EntitlementReader
  readonly grants: GrantService
  /** Absent: /subscribe, /billing and /admin refund say "not enabled on this server". */
  readonly billing?: BillingService | undefined
  /** Telegram Stars subscriptions (TELEGRAM_STARS_PRICE); /subscribe and /billing use either. */
  readonly stars?: StarsService | undefined
  /** The operator console's sign-in links (`/admin console`). */
  readonly console?: ConsoleAccess | undefined
  /** The live processes on this database, for `/admin stats`. */
  readonly replicas?: ReplicaDirectory | undefined
  /** Absent: /verify says email is not enabled. */
  readonly verification?: VerificationService | undefined
  /**
   * The commands to serve: pass `commands` from `commands/index.ts` (the core cannot import
   * them itself). Without it the core answers every command as unknown.
   */
  readonly commands?: readonly Command<CommandServices>[] | undefined
  /** The terminal's export folder (`DATA_DIR/exports`): `/forget` removes the person's files. */
  readonly exportFiles?: ExportFiles | undefined
  readonly log: Logger
  readonly now?: Clock | undefined
}

export interface ChatCoreOptions {
  /** OLLAMA_MODEL: used by personas without a model. */
  readonly defaultModel: string
  /** OLLAMA_FALLBACK_MODEL. */
  readonly fallbackModel?: string | undefined
  /** FREE_DAILY_MESSAGES / PREMIUM_DAILY_MESSAGES. */
  readonly freeDailyMessages: number
  readonly premiumDailyMessages: number
  /** MAX_INPUT_CHARS. */
  readonly maxInputChars: number
  /** FREE_CONTEXT_TOKENS / PREMIUM_CONTEXT_TOKENS: caps on the context length per tier. */
  readonly freeContextTokens: number
  readonly premiumContextTokens: number
  /** ADMINS. */
  readonly admins: readonly { platform: Platform; platformUserId: string }[]
  /** Tokens kept free for the reply (default: the persona's num_predict, else 512). */
  readonly replyReserveTokens?: number | undefined
  /** PAYSUPPORT_TEXT (a default when absent) and TERMS_URL. */
  readonly paySupportText?: string | undefined
  readonly termsUrl?: string | undefined
  /** MAX_IMAGE_BYTES, MAX_FILE_CHARS, IMAGE_MESSAGE_COST, IMAGES_FOR, OLLAMA_VISION_MODEL. */
  readonly media?: Partial<MediaOptions> | undefined
  /** ALLOWED_MODELS / PREMIUM_MODELS (empty: any model the hosts have; none premium-only). */
  readonly allowedModels?: readonly string[] | undefined
  readonly premiumModels?: readonly string[] | undefined
}

export interface RunningChatCore extends ChatCore {
  /**
   * Stops intake (new replies answer `CANCELLED`), waits up to `graceMs` for replies in
   * flight, then cancels them (what streamed is stored as `partial`) and stops memory jobs.
   * Replies cut off by a crash need no start-up step: they stay stored as `partial`, and the
   * context builder uses their text as it is.
   */
  close(graceMs: number): Promise<void>
  /** Replies running or waiting for their turn (shown by `/health` during a drain). */
  inFlight(): number
  /** Resolves when background memory summaries in flight have finished (tests, shutdown). */
  idle(): Promise<void>
  /** The services commands see (for adapters' own tests and tooling). */
  readonly services: CommandServices
}

/**
 * Builds the conversation core every adapter talks to.
 *
 * - Scopes: DMs use `account:<accountId>` (shared by linked platforms); groups use
 *   `<platform>:<chatId>`. Discord chat ids `<guildId>/<channelId>[/<threadId>]` also get a
 *   server-wide default persona from `discord-guild:<guildId>` (`/channel server_persona`).
 * - Adult personas: in DMs the message's `adultAllowed` AND the account's 18+ confirmation
 *   (`/settings adult yes`); in groups the message's `adultAllowed` (Discord age-restricted
 *   channel) or, outside Discord, the chat's `/channel adult on`.
 * - Never throws from `reply`, `runCommand`, `autocomplete` or `stop`.
 */
export function createChatCore(deps: ChatCoreDeps, options: ChatCoreOptions): RunningChatCore {
  const now = deps.now ?? Date.now
  const log = deps.log.child({ component: 'core' })
  if (!deps.commands) log.warn('createChatCore got no commands: every command will be unknown')
  const memory = new MemoryWriter({
    conversations: deps.stores.conversations,
    llm: deps.llm,
    log,
    now,
  })
  const rules = new Rules(
    {
      stores: deps.stores,
      llm: deps.llm,
      personas: deps.personas,
      entitlements: deps.entitlements,
      log,
      now,
    },
    { ...options, subscriptions: deps.billing !== undefined || deps.stars !== undefined },
  )
  const choice = new ModelChoice(
    { llm: deps.llm, log },
    { allowedModels: options.allowedModels ?? [], premiumModels: options.premiumModels ?? [] },
  )
  const media = new MediaTurns(
    {
      choice,
      stores: deps.stores,
      dailyLimit: (speaker) => rules.dailyLimit(speaker),
      log,
      now,
    },
    { ...DEFAULT_MEDIA_OPTIONS, ...options.media },
  )
  const engine = new ReplyEngine(
    {
      rules,
      choice,
      media,
      stores: deps.stores,
      log,
      now,
      generate: {
        stores: deps.stores,
        llm: deps.llm,
        estimator: new TokenEstimator(),
        memory,
        windowHints: new WindowHints(),
        log,
        now,
      },
    },
    { maxInputChars: options.maxInputChars },
  )
  const { stores, personas } = deps
  const personaService = new PersonaService({ rules, stores, personas, now })
  let commands: readonly CommandDescriptor[] = []
  const services: CommandServices = {
    personas: personaService,
    conversations: new ConversationService({
      engine,
      rules,
      stores,
      memory,
      llm: deps.llm,
      exportFiles: deps.exportFiles,
      log,
      now,
    }),
    settings: new SettingsService({ rules, stores, now }),
    account: new AccountService({ rules, stores, entitlements: deps.entitlements, now }),
    models: new ModelService({ choice, rules, stores, now }),
    admin: new AdminService({
      stores,
      personas,
      llm: deps.llm,
      now,
      stars: deps.stars !== undefined,
      replicas: deps.replicas,
    }),
    billing: deps.billing,
    stars: deps.stars,
    verification: deps.verification,
    paySupport: {
      text: options.paySupportText ?? DEFAULT_PAYSUPPORT_TEXT,
      termsUrl: options.termsUrl,
    },
    grants: deps.grants,
    console: deps.console,
    listCommands: () => commands,
  }
  const runner = new CommandRunner({
    services,
    rules,
    commands: deps.commands ?? [],
    log,
    now,
  })
  commands = runner.descriptors

  return {
    commands,
    services,
    reply: (message, signal) => engine.reply(message, signal),
    runCommand: (invocation, io) => runner.run(invocation, io),
    parseArgs: (name, text) => runner.parseArgs(name, text),
    autocomplete: async (_source, query, where) => {
      try {
        return await personaService.autocomplete(query, where)
      } catch (err) {
        log.warn({ err }, 'autocomplete failed')
        return []
      }
    },
    stop: async (platform, platformUserId) => {
      try {
        const identity = await deps.stores.accounts.findIdentity(platform, platformUserId)
        return identity ? engine.stopAccount(identity.accountId) : false
      } catch (err) {
        log.warn({ err }, 'stop failed')
        return false
      }
    },
    open: (caller) =>
      openConversation({ rules, conversations: services.conversations, stores }, caller),
    close: (graceMs) => engine.close(graceMs),
    inFlight: () => engine.inFlight,
    idle: () => memory.idle(),
  }
}
