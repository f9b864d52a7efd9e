import { Registry } from 'prom-client'
import { commands } from '../../commands/index.js'
import type { BillingStores } from '../../src/billing/billing-stores.js'
import { SubscriptionEntitlements } from '../../src/billing/subscription-entitlements.js'
import {
  type ChatCoreDeps,
  type ChatCoreOptions,
  createChatCore,
  type RunningChatCore,
} from '../../src/core/create-chat-core.js'
import type { PersonaRepository } from '../../src/core/persona.js'
import type { Logger } from '../../src/core/ports/logger.js'
import { createLlmGateway, type LlmGateway } from '../../src/llm/create-llm-gateway.js'
import {
  type OllamaDouble,
  type OllamaDoubleKnobs,
  startOllamaDouble,
} from '../doubles/ollama-double.js'
import { DEFAULT_OPTIONS } from '../unit/core/fixtures.js'
import { silentLogger } from './logger.js'

export interface OllamaCoreOptions {
  /** The SQL stores (subscriptions back the default entitlements). */
  readonly stores: BillingStores
  readonly personas: PersonaRepository
  /** The double answers `${echoPrefix}${the last user message}` unless `knobs.reply` says else. */
  readonly echoPrefix: string
  readonly knobs?: Partial<OllamaDoubleKnobs> | undefined
  /** Default: subscriptions over `stores` (free until someone pays), for both. */
  readonly entitlements?: ChatCoreDeps['entitlements'] | undefined
  readonly grants?: ChatCoreDeps['grants'] | undefined
  readonly exportFiles?: ChatCoreDeps['exportFiles']
  /** Overrides of the unit tests' `DEFAULT_OPTIONS` (50 free a day, 4,096 tokens); no admins. */
  readonly limits?: Partial<ChatCoreOptions> | undefined
}

/** The real core, with every command, talking to an Ollama double through the real gateway. */
export interface OllamaCore {
  readonly double: OllamaDouble
  readonly llm: LlmGateway
  readonly core: RunningChatCore
  readonly log: Logger
  /** Closes the core, the gateway and the double (not the stores: they belong to the caller). */
  close(): Promise<void>
}

export async function startOllamaCore(options: OllamaCoreOptions): Promise<OllamaCore> {
  const double = await startOllamaDouble({
    reply: (req) =>
      `${options.echoPrefix}${[...req.messages].reverse().find((m) => m.role === 'user')?.content}`,
    ...options.knobs,
  })
  const log = silentLogger()
  const llm = createLlmGateway(
    { log, registry: new Registry() },
    {
      hosts: [double.url],
      defaultModel: 'llama3.2',
      concurrency: 2,
      maxQueue: 10,
      autoPull: false,
      firstTokenTimeoutMs: 10_000,
      idleTimeoutMs: 10_000,
      totalTimeoutMs: 20_000,
      retryBackoffMs: 10,
    },
  )
  const subscriptions = new SubscriptionEntitlements({ stores: options.stores }, { graceDays: 3 })
  const core = createChatCore(
    {
      stores: options.stores,
      llm,
      personas: options.personas,
      entitlements: options.entitlements ?? subscriptions,
      grants: options.grants ?? subscriptions,
      commands,
      exportFiles: options.exportFiles,
      log,
    },
    { ...DEFAULT_OPTIONS, admins: [], ...options.limits },
  )
  return {
    double,
    llm,
    core,
    log,
    async close() {
      await core.close(0)
      await llm.close()
      await double.close()
    },
  }
}
