import type { CommandDescriptor } from './chat-core.js'
import type { Persona, PersonaRepository } from './persona.js'
import type {
  BillingService,
  Entitlement,
  GrantService,
  StarsService,
  VerificationService,
} from './ports/services.js'
import type { StarsRevenue } from './ports/stars.js'
import type {
  Account,
  ChatKind,
  ChatSettings,
  Identity,
  Platform,
  ReplyEvent,
  Tier,
} from './types.js'

/** The person and place a command runs for. */
export interface Caller {
  readonly platform: Platform
  readonly platformUserId: string
  readonly displayName: string
  readonly chatId: string
  readonly chatKind: ChatKind
  readonly adultAllowed: boolean
  readonly account: Account
  readonly isAdmin: boolean
  readonly isChatAdmin: boolean
}

export type PersonaChoice =
  | { readonly status: 'chosen'; readonly persona: Persona; readonly scope: 'account' | 'chat' }
  | { readonly status: 'not_found' }
  | { readonly status: 'adult_not_allowed'; readonly persona: Persona }
  | { readonly status: 'premium_required'; readonly persona: Persona }
  | { readonly status: 'not_allowed_here'; readonly persona: Persona }
  | { readonly status: 'chat_admin_only' }

export interface StatusInfo {
  readonly tier: Tier
  readonly entitlement: Entitlement
  readonly isAdmin: boolean
  readonly usedToday: number
  /** Null for unlimited (admins). */
  readonly dailyLimit: number | null
  readonly resetIn: string
  readonly persona: Persona
  readonly model: string
  readonly email: string | null
  readonly emailVerified: boolean
}

export interface AdminStats {
  readonly accounts: number
  readonly activeAccounts24h: number
  readonly messages24h: number
  /** Stripe subscribers and admin grants. */
  readonly subscribers: number
  readonly personas: number
  /** Present when Telegram Stars is enabled. */
  readonly stars?: { readonly subscribers: number; readonly last30Days: StarsRevenue }
}

/**
 * What commands may call: the conversation core's operations, never stores or platforms.
 * Subsystems that are not configured are `undefined`.
 */
export interface CoreServices {
  readonly billing: BillingService | undefined
  /** Telegram Stars subscriptions; present when TELEGRAM_STARS_PRICE is set. */
  readonly stars: StarsService | undefined
  readonly verification: VerificationService | undefined
  /** What /paysupport and /terms answer (PAYSUPPORT_TEXT, TERMS_URL). */
  readonly paySupport: { readonly text: string; readonly termsUrl: string | undefined }
  readonly grants: GrantService
  /** The commands this server serves (for /help). */
  listCommands(): readonly CommandDescriptor[]
  /**
   * Whether adult personas may be used here: in DMs the adapter allows it and the account
   * confirmed 18+; in groups the adapter allows it or (not on Discord) a chat admin enabled it.
   */
  adultAllowedHere(caller: Caller): Promise<boolean>
  /** Personas the caller may pick here (adult ones only where allowed; chat allow-list). */
  visiblePersonas(caller: Caller): Promise<readonly Persona[]>
  /** Every loaded persona. */
  allPersonas(): readonly Persona[]
  findPersona(idOrName: string): Persona | undefined
  /** A Character Card V3 object of the persona, undefined when unknown. */
  exportPersonaCard(id: string): Record<string, unknown> | undefined
  /** The persona that answers the caller here. */
  activePersona(caller: Caller): Promise<Persona>
  /** Picks the persona for the caller's DMs, or for the chat (chat admins) in groups. */
  choosePersona(caller: Caller, idOrName: string): Promise<PersonaChoice>
  /**
   * Opens the conversation with the active persona here: when it is new, stores and returns
   * the persona's greeting (the persona speaks first); null when it already exists.
   */
  open(caller: Caller): Promise<{ persona: Persona; greeting: string | null }>
  /** Clears the current conversation here and returns the persona's fresh greeting. */
  reset(caller: Caller): Promise<{ persona: Persona; greeting: string }>
  /** Deletes the last reply and streams a new one to the last message. */
  regenerate(caller: Caller, signal?: AbortSignal): AsyncIterable<ReplyEvent>
  /** Cancels the caller's running or queued generation. */
  stop(caller: Caller): boolean
  status(caller: Caller): Promise<StatusInfo>
  /** The memory summary of the current conversation here. */
  memory(caller: Caller): Promise<{ persona: Persona; summary: string | null }>
  /** Deletes every DM conversation (and so the memory) of the caller's account. */
  forget(caller: Caller): Promise<{ conversations: number }>
  /** Everything stored about the caller's account, as plain JSON. */
  exportData(caller: Caller): Promise<Record<string, unknown>>
  setAdultConfirmed(caller: Caller, confirmed: boolean): Promise<void>
  /** Settings of the caller's group chat. */
  chatSettings(caller: Caller): Promise<ChatSettings>
  updateChatSettings(caller: Caller, patch: Partial<ChatSettings>): Promise<ChatSettings>
  /**
   * Updates the Discord server-wide defaults (`discord-guild:<guildId>`) of the caller's
   * channel; null when the chat has no server (not Discord, or a DM).
   */
  updateServerSettings(caller: Caller, patch: Partial<ChatSettings>): Promise<ChatSettings | null>
  /** Finds an account by `platform:id` or account id. */
  resolveUser(
    ref: string,
  ): Promise<{ account: Account; identities: readonly Identity[] } | undefined>
  adminStats(): Promise<AdminStats>
  reloadPersonas(): ReturnType<PersonaRepository['reload']>
}
