import type { AccountService } from './account-service.js'
import type { AdminService } from './admin-service.js'
import type { CommandDescriptor } from './chat-core.js'
import type { ConversationService } from './conversation-service.js'
import type { ModelService } from './model-service.js'
import type { PersonaService } from './persona-service.js'
import type {
  BillingService,
  ConsoleAccess,
  GrantService,
  StarsService,
  VerificationService,
} from './ports/services.js'
import type { SettingsService } from './settings-service.js'

/**
 * What commands may call: focused services over the core, never stores or platforms.
 * Subsystems that are not configured are `undefined`.
 */
export interface CommandServices {
  readonly personas: PersonaService
  readonly conversations: ConversationService
  readonly settings: SettingsService
  readonly account: AccountService
  /** `/model`: list the hosts' models, set or clear this chat's. */
  readonly models: ModelService
  readonly admin: AdminService
  readonly billing: BillingService | undefined
  /** Telegram Stars subscriptions; present when TELEGRAM_STARS_PRICE is set. */
  readonly stars: StarsService | undefined
  readonly verification: VerificationService | undefined
  /** What /paysupport and /terms answer (PAYSUPPORT_TEXT, TERMS_URL). */
  readonly paySupport: { readonly text: string; readonly termsUrl: string | undefined }
  readonly grants: GrantService
  /** The operator console's sign-in links (`/admin console`); absent when it is not served. */
  readonly console: ConsoleAccess | undefined
  /** The commands this server serves (for /help). */
  listCommands(): readonly CommandDescriptor[]
}
