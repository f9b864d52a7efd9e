import type { Speaker } from './caller.js'
import { AppError } from './errors.js'
import { escapeMarkdown } from './markdown-text.js'
import { ModelLimits } from './model-limits.js'
import type { Persona, PersonaRepository } from './persona.js'
import {
  defaultPersona,
  personaFor,
  type SettingsReader,
  settingsPersona,
} from './persona-choice.js'
import type { Clock } from './ports/clock.js'
import type { LlmClient } from './ports/llm.js'
import type { Logger } from './ports/logger.js'
import type { EntitlementReader } from './ports/services.js'
import type { Stores } from './ports/stores.js'
import { personaGreeting } from './prompt-parts.js'
import { formatDuration, msUntilUtcMidnight, utcDay } from './quota.js'
import { chatScope, conversationScope, isListedAdmin, type Place } from './scopes.js'
import type { Account, ChatSettings, Platform, Tier } from './types.js'

/** The one answer a blocked person gets before being ignored. */
export const BLOCKED_REFUSAL =
  'Sorry, you can no longer use this bot. If you think this is a mistake, please contact its operator.'

export interface RulesDeps {
  readonly stores: Stores
  readonly llm: LlmClient
  readonly personas: PersonaRepository
  readonly entitlements: EntitlementReader
  readonly log: Logger
  readonly now: Clock
}

export interface RulesOptions {
  readonly defaultModel: string
  readonly fallbackModel?: string | undefined
  readonly freeDailyMessages: number
  readonly premiumDailyMessages: number
  readonly freeContextTokens: number
  readonly premiumContextTokens: number
  readonly admins: readonly { platform: Platform; platformUserId: string }[]
  readonly replyReserveTokens?: number | undefined
  /** Whether /subscribe works (billing configured): messages only suggest it then. */
  readonly subscriptions?: boolean | undefined
}

export type { SettingsReader } from './persona-choice.js'

/**
 * The rules of the conversation core: who is talking and their tier, which persona answers
 * where, adult and premium gating, daily quotas and the context length per tier. Model limits
 * live in `model-limits.ts`, the persona choice per place in `persona-choice.ts`.
 */
export class Rules {
  readonly #deps: RulesDeps
  readonly #options: RulesOptions
  readonly #models: ModelLimits
  readonly #readSettings: SettingsReader = (scope) => this.#deps.stores.chatSettings.get(scope)

  constructor(deps: RulesDeps, options: RulesOptions) {
    this.#deps = deps
    this.#options = options
    this.#models = new ModelLimits(deps, options)
  }

  /**
   * A settings reader for one request: each scope is read at most once, so a group message
   * does not read its chat's settings again for the persona and the adult check.
   */
  settingsReader(): SettingsReader {
    const read = new Map<string, Promise<ChatSettings>>()
    return (scope) => {
      let settings = read.get(scope)
      if (!settings) {
        settings = this.#readSettings(scope)
        read.set(scope, settings)
      }
      return settings
    }
  }

  /** The persona's model, else OLLAMA_MODEL. */
  modelFor(persona: Persona): string {
    return this.#models.modelFor(persona)
  }

  fallbackFor(persona: Persona): string | undefined {
    return this.#models.fallbackFor(persona)
  }

  /** Tokens kept free for the reply: configured, else the persona's num_predict, else 512; at most half the context. */
  replyReserve(persona: Persona, numCtx: number): number {
    return this.#models.replyReserve(persona, numCtx)
  }

  /** Resolves (creating on first sight) the account of an identity, with its tier. */
  async speaker(
    platform: Platform,
    platformUserId: string,
    displayName: string,
    handle?: string,
  ): Promise<Speaker> {
    const { stores, entitlements, now } = this.#deps
    const { account } = await stores.accounts.resolveIdentity(
      platform,
      platformUserId,
      displayName,
      now(),
      handle,
    )
    const isAdmin = isListedAdmin(this.#options.admins, platform, platformUserId)
    const tier = isAdmin ? 'premium' : (await entitlements.entitlement(account.id, now())).tier
    return { account, isAdmin, tier }
  }

  /**
   * What to do with a blocked person: `refuse` once (one polite answer), then `ignore`; null
   * when they are not blocked. Admins are never blocked.
   */
  async blockVerdict(speaker: Speaker): Promise<'refuse' | 'ignore' | null> {
    if (speaker.isAdmin) return null
    const { blocks } = this.#deps.stores
    if (!(await blocks.isBlocked(speaker.account.id))) return null
    return (await blocks.claimRefusal(speaker.account.id, this.#deps.now())) ? 'refuse' : 'ignore'
  }

  /**
   * Whether adult personas may answer here. DMs: the adapter must allow it AND the account
   * confirmed 18+ (`/settings adult yes`). Groups: the adapter allows it (a Discord
   * age-restricted channel) or, outside Discord, a chat admin turned it on with `/channel adult on`.
   */
  async adultAllowed(
    place: Place & { adultAllowed: boolean },
    account: Account,
    settings: SettingsReader = this.#readSettings,
  ): Promise<boolean> {
    if (place.chatKind === 'direct') return place.adultAllowed && account.adultConfirmed
    if (place.adultAllowed) return true
    if (place.platform === 'discord') return false
    return (await settings(chatScope(place))).adultEnabled
  }

  async checkPersonaAccess(
    persona: Persona,
    place: Place & { adultAllowed: boolean },
    speaker: Speaker,
    settings: SettingsReader = this.#readSettings,
  ): Promise<void> {
    if (persona.nsfw && !(await this.adultAllowed(place, speaker.account, settings))) {
      throw new AppError('ADULT_NOT_ALLOWED', 'adult persona outside an adult place', {
        persona: persona.name,
        where:
          'Adult personas work in Discord age-restricted channels, in Telegram private chats after you confirm you are 18+ with /settings adult yes, and in Telegram groups where an admin turned adult content on with /channel adult on.',
      })
    }
    if (persona.tier === 'premium' && speaker.tier !== 'premium') {
      throw new AppError('PREMIUM_REQUIRED', 'premium persona', {
        persona: persona.name,
        subscribe: this.#options.subscriptions ? 'yes' : 'no',
      })
    }
  }

  dailyLimit(speaker: Speaker): number | null {
    if (speaker.isAdmin) return null
    return speaker.tier === 'premium'
      ? this.#options.premiumDailyMessages
      : this.#options.freeDailyMessages
  }

  async checkQuota(speaker: Speaker): Promise<void> {
    const limit = this.dailyLimit(speaker)
    if (limit === null) return
    const now = this.#deps.now()
    const used = await this.#deps.stores.usage.get(speaker.account.id, utcDay(now))
    if (used.messages >= limit) {
      throw new AppError('QUOTA_EXCEEDED', 'daily quota used', {
        limit,
        tier: speaker.tier,
        subscribe: this.#options.subscriptions ? 'yes' : 'no',
        resetIn: formatDuration(msUntilUtcMidnight(now)),
      })
    }
  }

  async settingsPersona(
    scope: string,
    settings: SettingsReader = this.#readSettings,
  ): Promise<Persona | undefined> {
    return settingsPersona(this.#deps.personas, scope, settings)
  }

  defaultPersona(): Persona {
    return defaultPersona(this.#deps.personas)
  }

  async personaFor(
    place: Place,
    accountId: string,
    settings: SettingsReader = this.#readSettings,
  ): Promise<Persona> {
    return personaFor(this.#deps.personas, place, accountId, settings)
  }

  async conversation(place: Place & { displayName: string }, accountId: string, persona: Persona) {
    const { stores, now } = this.#deps
    const { conversation, created } = await stores.conversations.getOrCreate(
      conversationScope(place, accountId),
      persona.id,
      place.chatKind,
      now(),
    )
    if (created) await this.appendGreeting(conversation.id, persona, place.displayName)
    return conversation
  }

  async appendGreeting(
    conversationId: string,
    persona: Persona,
    userName: string,
  ): Promise<string> {
    // The name is shown as written: a display name can never turn into a link or formatting.
    const greeting = personaGreeting(persona, escapeMarkdown(userName))
    if (greeting) {
      await this.#deps.stores.conversations.append({
        conversationId,
        role: 'assistant',
        content: greeting,
        status: 'complete',
        createdAt: this.#deps.now(),
      })
    }
    return greeting
  }

  contextLength(model: string, persona: Persona, tier: Tier): Promise<number> {
    return this.#models.contextLength(model, persona, tier)
  }
}
