import type { CommandDescriptor } from './chat-core.js'
import type { ChatEngine } from './chat-engine.js'
import type { ChatPolicy } from './chat-policy.js'
import type {
  AdminStats,
  Caller,
  CoreServices,
  PersonaChoice,
  StatusInfo,
} from './core-services.js'
import { exportAccountData } from './export-account-data.js'
import type { Persona, PersonaRepository } from './persona.js'
import type { Clock } from './ports/clock.js'
import type {
  BillingService,
  EntitlementReader,
  GrantService,
  StarsService,
  VerificationService,
} from './ports/services.js'
import type { Stores } from './ports/stores.js'
import { formatDuration, msUntilUtcMidnight, utcDay } from './quota.js'
import { accountScope, chatScope, conversationScope, guildScope } from './scopes.js'
import type { Account, ChatSettings, Identity, Platform, ReplyEvent } from './types.js'

export interface ChatServicesDeps {
  readonly engine: ChatEngine
  readonly policy: ChatPolicy
  readonly stores: Stores
  readonly personas: PersonaRepository
  readonly entitlements: EntitlementReader
  readonly grants: GrantService
  readonly billing?: BillingService | undefined
  readonly stars?: StarsService | undefined
  readonly verification?: VerificationService | undefined
  /** PAYSUPPORT_TEXT and TERMS_URL. */
  readonly paySupport?: { readonly text: string; readonly termsUrl?: string | undefined }
  readonly now: Clock
}

export const DEFAULT_PAYSUPPORT_TEXT =
  'For help with a payment or a refund, write to the operator of this bot. Please include the date of the payment.'

/** `CoreServices` over the policy, the reply engine and the stores: what commands call. */
export class ChatServices implements CoreServices {
  readonly #deps: ChatServicesDeps
  readonly #policy: ChatPolicy
  #commands: readonly CommandDescriptor[] = []

  constructor(deps: ChatServicesDeps) {
    this.#deps = deps
    this.#policy = deps.policy
  }

  get billing(): BillingService | undefined {
    return this.#deps.billing
  }
  get stars(): StarsService | undefined {
    return this.#deps.stars
  }
  get verification(): VerificationService | undefined {
    return this.#deps.verification
  }
  get paySupport(): { readonly text: string; readonly termsUrl: string | undefined } {
    return {
      text: this.#deps.paySupport?.text ?? DEFAULT_PAYSUPPORT_TEXT,
      termsUrl: this.#deps.paySupport?.termsUrl,
    }
  }
  get grants(): GrantService {
    return this.#deps.grants
  }

  /** Called once by `createChatCore` with the served commands. */
  useCommands(commands: readonly CommandDescriptor[]): void {
    this.#commands = commands
  }

  listCommands(): readonly CommandDescriptor[] {
    return this.#commands
  }

  regenerate(caller: Caller, signal?: AbortSignal): AsyncIterable<ReplyEvent> {
    return this.#deps.engine.regenerate(caller, signal)
  }

  stop(caller: Caller): boolean {
    return this.#deps.engine.stopAccount(caller.account.id)
  }

  async adultAllowedHere(caller: Caller): Promise<boolean> {
    return this.#policy.adultAllowed(caller, caller.account)
  }

  async visiblePersonas(caller: Caller): Promise<readonly Persona[]> {
    const allowed = await this.#allowedHere(caller)
    const adult = await this.#policy.adultAllowed(caller, caller.account)
    return this.#deps.personas
      .list()
      .filter((p) => (adult || !p.nsfw) && (!allowed || allowed.includes(p.id)))
  }

  allPersonas(): readonly Persona[] {
    return this.#deps.personas.list()
  }

  findPersona(idOrName: string): Persona | undefined {
    return this.#deps.personas.find(idOrName.trim())
  }

  exportPersonaCard(id: string): Record<string, unknown> | undefined {
    return this.#deps.personas.exportCard(id)
  }

  async activePersona(caller: Caller): Promise<Persona> {
    return this.#policy.personaFor(caller, caller.account.id)
  }

  async choosePersona(caller: Caller, idOrName: string): Promise<PersonaChoice> {
    const persona = this.findPersona(idOrName)
    if (!persona) return { status: 'not_found' }
    const group = caller.chatKind === 'group'
    if (group && !caller.isChatAdmin && !caller.isAdmin) return { status: 'chat_admin_only' }
    if (persona.nsfw && !(await this.#policy.adultAllowed(caller, caller.account))) {
      return { status: 'adult_not_allowed', persona }
    }
    const speaker = await this.#policy.speaker(
      caller.platform,
      caller.platformUserId,
      caller.displayName,
    )
    if (persona.tier === 'premium' && speaker.tier !== 'premium' && !group) {
      return { status: 'premium_required', persona }
    }
    const scope = group ? chatScope(caller) : accountScope(caller.account.id)
    const allowed = await this.#allowedHere(caller)
    if (allowed && !allowed.includes(persona.id)) return { status: 'not_allowed_here', persona }
    await this.#deps.stores.chatSettings.update(scope, { personaId: persona.id }, this.#deps.now())
    return { status: 'chosen', persona, scope: group ? 'chat' : 'account' }
  }

  async open(caller: Caller): Promise<{ persona: Persona; greeting: string | null }> {
    const persona = await this.activePersona(caller)
    const { conversation, created } = await this.#conversationHere(caller, persona)
    if (!created) return { persona, greeting: null }
    const greeting = await this.#policy.appendGreeting(conversation.id, persona, caller.displayName)
    return { persona, greeting }
  }

  async reset(caller: Caller): Promise<{ persona: Persona; greeting: string }> {
    const persona = await this.activePersona(caller)
    const { conversation, created } = await this.#conversationHere(caller, persona)
    if (!created) await this.#deps.stores.conversations.clear(conversation.id)
    const greeting = await this.#policy.appendGreeting(conversation.id, persona, caller.displayName)
    return { persona, greeting }
  }

  /**
   * Persona ids allowed in a group: the chat's own list, else its Discord server's list;
   * null (all) in DMs or when neither sets one.
   */
  async #allowedHere(place: Pick<Caller, 'platform' | 'chatId' | 'chatKind'>) {
    if (place.chatKind !== 'group') return null
    const chat = await this.#deps.stores.chatSettings.get(chatScope(place))
    if (chat.allowedPersonas) return chat.allowedPersonas
    const guild = guildScope(place)
    return guild ? (await this.#deps.stores.chatSettings.get(guild)).allowedPersonas : null
  }

  #conversationHere(caller: Caller, persona: Persona) {
    return this.#deps.stores.conversations.getOrCreate(
      conversationScope(caller, caller.account.id),
      persona.id,
      caller.chatKind,
      this.#deps.now(),
    )
  }

  async status(caller: Caller): Promise<StatusInfo> {
    const now = this.#deps.now()
    const speaker = await this.#policy.speaker(
      caller.platform,
      caller.platformUserId,
      caller.displayName,
    )
    const entitlement = speaker.isAdmin
      ? { tier: 'premium' as const, source: 'admin' as const, until: null, status: null }
      : await this.#deps.entitlements.entitlement(caller.account.id, now)
    const used = await this.#deps.stores.usage.get(caller.account.id, utcDay(now))
    const persona = await this.activePersona(caller)
    return {
      tier: speaker.tier,
      entitlement,
      isAdmin: speaker.isAdmin,
      usedToday: used.messages,
      dailyLimit: this.#policy.dailyLimit(speaker),
      resetIn: formatDuration(msUntilUtcMidnight(now)),
      persona,
      model: this.#policy.modelFor(persona),
      email: speaker.account.email,
      emailVerified: speaker.account.emailVerified,
    }
  }

  async memory(caller: Caller): Promise<{ persona: Persona; summary: string | null }> {
    const persona = await this.activePersona(caller)
    const scope = conversationScope(caller, caller.account.id)
    const conversations = await this.#deps.stores.conversations.listByScope(scope)
    const current = conversations.find((c) => c.personaId === persona.id)
    return { persona, summary: current?.summary ?? null }
  }

  async forget(caller: Caller): Promise<{ conversations: number }> {
    this.#deps.engine.stopAccount(caller.account.id)
    const deleted = await this.#deps.stores.conversations.deleteScope(
      accountScope(caller.account.id),
    )
    return { conversations: deleted }
  }

  async exportData(caller: Caller): Promise<Record<string, unknown>> {
    return exportAccountData(this.#deps.stores, caller.account, this.#deps.now())
  }

  async setAdultConfirmed(caller: Caller, confirmed: boolean): Promise<void> {
    await this.#deps.stores.accounts.setAdultConfirmed(
      caller.account.id,
      confirmed,
      this.#deps.now(),
    )
  }

  async chatSettings(caller: Caller): Promise<ChatSettings> {
    return this.#deps.stores.chatSettings.get(chatScope(caller))
  }

  async updateChatSettings(caller: Caller, patch: Partial<ChatSettings>): Promise<ChatSettings> {
    return this.#deps.stores.chatSettings.update(chatScope(caller), patch, this.#deps.now())
  }

  async updateServerSettings(
    caller: Caller,
    patch: Partial<ChatSettings>,
  ): Promise<ChatSettings | null> {
    const scope = guildScope(caller)
    return scope ? this.#deps.stores.chatSettings.update(scope, patch, this.#deps.now()) : null
  }

  async resolveUser(
    ref: string,
  ): Promise<{ account: Account; identities: readonly Identity[] } | undefined> {
    const accounts = this.#deps.stores.accounts
    const m = /^(discord|telegram|console):(.+)$/.exec(ref.trim())
    const accountId = m
      ? (await accounts.findIdentity(m[1] as Platform, m[2] as string))?.accountId
      : ref.trim()
    if (!accountId) return undefined
    const account = await accounts.get(accountId)
    if (!account) return undefined
    return { account, identities: await accounts.identities(account.id) }
  }

  async adminStats(): Promise<AdminStats> {
    const { stores, now } = this.#deps
    const since = now() - 86_400_000
    const stats = await stores.accounts.stats(since)
    const stars = this.#deps.stars
      ? {
          subscribers: await stores.stars.countActive(now()),
          last30Days: await stores.stars.revenue(now() - 30 * 86_400_000),
        }
      : undefined
    return {
      accounts: stats.accounts,
      activeAccounts24h: stats.activeAccounts,
      messages24h: stats.messages,
      subscribers: await stores.subscriptions.countActive(now()),
      personas: this.#deps.personas.list().length,
      ...(stars ? { stars } : {}),
    }
  }

  reloadPersonas(): ReturnType<PersonaRepository['reload']> {
    return this.#deps.personas.reload()
  }

  async autocompletePersonas(
    query: string,
    where: { platform: Platform; platformUserId: string; chatId: string; adultAllowed: boolean },
  ): Promise<readonly { name: string; value: string }[]> {
    const q = query.trim().toLowerCase()
    // DMs have no settings under a chat scope, so this yields "all allowed" there.
    const allowed = await this.#allowedHere({ ...where, chatKind: 'group' })
    return this.#deps.personas
      .list()
      .filter((p) => where.adultAllowed || !p.nsfw)
      .filter((p) => !allowed || allowed.includes(p.id))
      .filter((p) => !q || p.id.toLowerCase().includes(q) || p.name.toLowerCase().includes(q))
      .slice(0, 25)
      .map((p) => ({
        name: `${p.name}${p.tier === 'premium' ? ' (premium)' : ''}`.slice(0, 100),
        value: p.id,
      }))
  }
}
