import type { ChatCore, CommandDescriptor } from './chat-core.js'
import { ChatEngine } from './chat-engine.js'
import { ChatPolicy } from './chat-policy.js'
import { ChatServices, DEFAULT_PAYSUPPORT_TEXT } from './chat-services.js'
import type { Command } from './command.js'
import { CommandRunner } from './command-runner.js'
import type { CoreServices } from './core-services.js'
import { WindowHints } from './load-context.js'
import { MemoryWriter } from './memory-writer.js'
import type { PersonaRepository } from './persona.js'
import type { Clock } from './ports/clock.js'
import type { LlmClient } from './ports/llm.js'
import type { Logger } from './ports/logger.js'
import type { Notifier } from './ports/messenger.js'
import type {
  BillingService,
  EntitlementReader,
  GrantService,
  StarsService,
  VerificationService,
} from './ports/services.js'
import type { Stores } from './ports/stores.js'
import { TokenEstimator } from './token-estimator.js'
import type { Platform } from './types.js'

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
  /** Absent: /verify says email is not enabled. */
  readonly verification?: VerificationService | undefined
  /** Accepted for wiring symmetry; the core itself sends no notices yet. */
  readonly notifier?: Notifier | undefined
  /**
   * The commands to serve: pass `commands` from `commands/index.ts` (the core cannot import
   * them itself). Without it the core answers every command as unknown.
   */
  readonly commands?: readonly Command<CoreServices>[] | undefined
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
}

export interface ChatCoreRuntime extends ChatCore {
  /**
   * Stops intake (new replies answer `CANCELLED`), waits up to `graceMs` for replies in
   * flight, then cancels them (what streamed is stored as `partial`) and stops memory jobs.
   * Replies cut off by a crash need no start-up step: they stay stored as `partial`, and the
   * context builder uses their text as it is.
   */
  close(graceMs: number): Promise<void>
  /** Resolves when background memory summaries in flight have finished (tests, shutdown). */
  idle(): Promise<void>
  /** The services commands see (for adapters' own tests and tooling). */
  readonly services: CoreServices
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
 * - Never throws from `reply`, `runCommand`, `shouldRespond`, `autocomplete` or `stop`.
 */
export function createChatCore(deps: ChatCoreDeps, options: ChatCoreOptions): ChatCoreRuntime {
  const now = deps.now ?? Date.now
  const log = deps.log.child({ component: 'core' })
  if (!deps.commands) log.warn('createChatCore got no commands: every command will be unknown')
  const memory = new MemoryWriter({
    conversations: deps.stores.conversations,
    llm: deps.llm,
    log,
    now,
  })
  const policy = new ChatPolicy(
    {
      stores: deps.stores,
      llm: deps.llm,
      personas: deps.personas,
      entitlements: deps.entitlements,
      log,
      now,
    },
    options,
  )
  const engine = new ChatEngine(
    {
      policy,
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
  const services = new ChatServices({
    engine,
    policy,
    stores: deps.stores,
    personas: deps.personas,
    entitlements: deps.entitlements,
    grants: deps.grants,
    billing: deps.billing,
    stars: deps.stars,
    verification: deps.verification,
    ...(options.paySupportText || options.termsUrl
      ? {
          paySupport: {
            text: options.paySupportText ?? DEFAULT_PAYSUPPORT_TEXT,
            termsUrl: options.termsUrl,
          },
        }
      : {}),
    now,
  })
  const runner = new CommandRunner({
    services,
    policy,
    commands: deps.commands ?? [],
    log,
    now,
  })
  const commands: readonly CommandDescriptor[] = runner.descriptors
  services.useCommands(commands)

  return {
    commands,
    services,
    shouldRespond: async (message) => {
      try {
        return await engine.shouldRespond(message)
      } catch (err) {
        log.error({ err }, 'shouldRespond failed')
        return false
      }
    },
    reply: (message, signal) => engine.reply(message, signal),
    runCommand: (invocation, io) => runner.run(invocation, io),
    parseArgs: (name, text) => runner.parseArgs(name, text),
    autocomplete: async (_source, query, where) => {
      try {
        return await services.autocompletePersonas(query, where)
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
    close: (graceMs) => engine.close(graceMs),
    idle: () => memory.idle(),
  }
}
