import { commands } from '../../commands/index.js'
import { SubscriptionEntitlements } from '../billing/subscription-entitlements.js'
import type { Config } from '../config.js'
import {
  type ChatCoreDeps,
  createChatCore,
  type RunningChatCore,
} from '../core/create-chat-core.js'
import type { PersonaRepository } from '../core/persona.js'
import type { ExportFiles } from '../core/ports/export-files.js'
import type { LlmClient } from '../core/ports/llm.js'
import type { Logger } from '../core/ports/logger.js'
import type { BillingService, ConsoleAccess, VerificationService } from '../core/ports/services.js'
import type { SqlStores } from '../storage/sql-stores.js'
import { chatCoreOptionsFrom } from './config-options.js'

export interface CoreParts {
  readonly stores: SqlStores
  readonly llm: LlmClient
  readonly personas: PersonaRepository
  readonly billing?: BillingService | undefined
  /** Premium in Telegram Stars, when TELEGRAM_STARS_PRICE is set. */
  readonly stars?: ChatCoreDeps['stars']
  readonly verification?: VerificationService | undefined
  /** Where `/export` writes its files (DATA_DIR/exports). */
  readonly exportFiles?: ExportFiles | undefined
  /** The operator console's sign-in links (`/admin console`). */
  readonly console?: ConsoleAccess | undefined
  readonly log: Logger
  /** The live replicas, for `/admin stats`. */
  readonly replicas?: ChatCoreDeps['replicas']
}

/** The conversation core with every command, entitlements over the subscription store. */
export function buildChatCore(config: Config, parts: CoreParts): RunningChatCore {
  const { stores, llm, personas, billing, stars, verification, exportFiles, log, replicas } = parts
  const entitlements = new SubscriptionEntitlements(
    { stores },
    { graceDays: config.BILLING_GRACE_DAYS },
  )
  return createChatCore(
    {
      stores,
      llm,
      personas,
      entitlements,
      grants: entitlements,
      billing,
      stars,
      replicas,
      verification,
      commands,
      exportFiles,
      console: parts.console,
      log,
    },
    chatCoreOptionsFrom(config),
  )
}
