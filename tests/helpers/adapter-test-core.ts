import { commands } from '../../commands/index.js'
import {
  type ChatCoreOptions,
  createChatCore,
  type RunningChatCore,
} from '../../src/core/create-chat-core.js'
import type { PersonaRepository } from '../../src/core/persona.js'
import type { LlmClient } from '../../src/core/ports/llm.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { BillingService } from '../../src/core/ports/services.js'
import type { Stores } from '../../src/core/ports/stores.js'

export interface AdapterTestCoreDeps {
  readonly stores: Stores
  readonly llm: LlmClient
  readonly personas: PersonaRepository
  readonly log: Logger
  readonly model: string
  readonly billing?: BillingService | undefined
  /** Options over the defaults below (media limits, ALLOWED_MODELS, ADMINS...). */
  readonly options?: Partial<ChatCoreOptions> | undefined
}

/**
 * The real conversation core as the Discord and Telegram adapter tests use it: every caller
 * is free-tier with quotas high enough never to interfere, and grants are not part of them.
 */
export function createAdapterTestCore(deps: AdapterTestCoreDeps): RunningChatCore {
  return createChatCore(
    {
      stores: deps.stores,
      llm: deps.llm,
      personas: deps.personas,
      entitlements: {
        entitlement: async () => ({ tier: 'free', source: 'none', until: null, status: null }),
      },
      grants: {
        grant: async () => {
          throw new Error('grants are not part of these tests')
        },
      },
      billing: deps.billing,
      commands,
      log: deps.log,
    },
    {
      defaultModel: deps.model,
      freeDailyMessages: 1_000,
      premiumDailyMessages: 1_000,
      maxInputChars: 4_000,
      freeContextTokens: 4_096,
      premiumContextTokens: 4_096,
      admins: [],
      ...deps.options,
    },
  )
}
