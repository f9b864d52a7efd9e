import type { Caller } from './caller.js'
import type { Persona, PersonaRepository } from './persona.js'
import type { Clock } from './ports/clock.js'
import type { Stores } from './ports/stores.js'
import type { Rules } from './rules.js'
import { accountScope, chatScope, guildScope } from './scopes.js'
import type { Platform } from './types.js'

export interface PersonaServiceDeps {
  readonly rules: Rules
  readonly stores: Pick<Stores, 'chatSettings'>
  readonly personas: PersonaRepository
  readonly now: Clock
}

export type PersonaChoice =
  | { readonly status: 'chosen'; readonly persona: Persona; readonly scope: 'account' | 'chat' }
  | { readonly status: 'not_found' }
  | { readonly status: 'adult_not_allowed'; readonly persona: Persona }
  | { readonly status: 'premium_required'; readonly persona: Persona }
  | { readonly status: 'not_allowed_here'; readonly persona: Persona }
  | { readonly status: 'chat_admin_only' }

/** `/persona export [name] [json|png]`: `auto` picks PNG for cards loaded from a PNG. */
export type PersonaExportFormat = 'json' | 'png' | 'auto'

/** What `/persona export` may hand out to the caller. */
export type PersonaExport =
  | {
      readonly status: 'exported'
      readonly persona: Persona
      readonly card: Record<string, unknown>
      /** The card as a PNG with its picture, when asked for and the repository makes one. */
      readonly png?: Uint8Array | undefined
    }
  | { readonly status: 'not_exportable'; readonly persona: Persona }
  | { readonly status: 'adult_not_allowed'; readonly persona: Persona }
  | { readonly status: 'premium_required'; readonly persona: Persona }
  | { readonly status: 'not_allowed_here'; readonly persona: Persona }

/** Which personas exist, which one answers here, and choosing one (`/persona`, `/personas`). */
export class PersonaService {
  readonly #deps: PersonaServiceDeps
  readonly #rules: Rules

  constructor(deps: PersonaServiceDeps) {
    this.#deps = deps
    this.#rules = deps.rules
  }

  /** Personas the caller may pick here (adult ones only where allowed; chat allow-list). */
  async visible(caller: Caller): Promise<readonly Persona[]> {
    const allowed = await this.#allowedHere(caller)
    const adult = await this.#rules.adultAllowed(caller, caller.account)
    return this.#deps.personas
      .list()
      .filter((p) => (adult || !p.nsfw) && (!allowed || allowed.includes(p.id)))
  }

  /** Every loaded persona. */
  all(): readonly Persona[] {
    return this.#deps.personas.list()
  }

  find(idOrName: string): Persona | undefined {
    return this.#deps.personas.find(idOrName.trim())
  }

  /**
   * The persona's Character Card V3 (full prompts included), only when the caller could use it:
   * the operator did not forbid export (`exportable: false`), premium personas need premium
   * (also in groups), adult ones need a place where `/persona` allows them AND the caller's own
   * 18+ confirmation (a Discord age-restricted channel counts as one), and the chat's allow-list
   * must include it.
   */
  async export(
    caller: Caller,
    persona: Persona,
    format: PersonaExportFormat = 'json',
  ): Promise<PersonaExport> {
    if (!persona.exportable) return { status: 'not_exportable', persona }
    if (persona.nsfw) {
      const placeAllows = await this.#rules.adultAllowed(caller, caller.account)
      // In groups, `/channel adult on` speaks for the chat, not for the person asking.
      const ageKnown =
        caller.account.adultConfirmed || (caller.chatKind === 'group' && caller.adultAllowed)
      if (!placeAllows || !ageKnown) return { status: 'adult_not_allowed', persona }
    }
    if (persona.tier === 'premium' && caller.tier !== 'premium') {
      return { status: 'premium_required', persona }
    }
    const allowed = await this.#allowedHere(caller)
    if (allowed && !allowed.includes(persona.id)) return { status: 'not_allowed_here', persona }
    const card = this.#deps.personas.exportCard(persona.id)
    if (!card) return { status: 'not_exportable', persona }
    // `auto`: PNG for cards that came as PNG (their picture is kept), JSON otherwise.
    const png =
      format === 'png' || (format === 'auto' && persona.sourceFile.toLowerCase().endsWith('.png'))
        ? await this.#deps.personas.exportPng?.(persona.id)
        : undefined
    return { status: 'exported', persona, card, png }
  }

  /** The persona that answers the caller here. */
  async active(caller: Caller): Promise<Persona> {
    return this.#rules.personaFor(caller, caller.account.id)
  }

  /** Picks the persona for the caller's DMs, or for the chat (chat admins) in groups. */
  async choose(caller: Caller, idOrName: string): Promise<PersonaChoice> {
    const persona = this.find(idOrName)
    if (!persona) return { status: 'not_found' }
    const group = caller.chatKind === 'group'
    if (group && !caller.isChatAdmin && !caller.isAdmin) return { status: 'chat_admin_only' }
    if (persona.nsfw && !(await this.#rules.adultAllowed(caller, caller.account))) {
      return { status: 'adult_not_allowed', persona }
    }
    if (persona.tier === 'premium' && caller.tier !== 'premium' && !group) {
      return { status: 'premium_required', persona }
    }
    const scope = group ? chatScope(caller) : accountScope(caller.account.id)
    const allowed = await this.#allowedHere(caller)
    if (allowed && !allowed.includes(persona.id)) return { status: 'not_allowed_here', persona }
    await this.#deps.stores.chatSettings.update(scope, { personaId: persona.id }, this.#deps.now())
    return { status: 'chosen', persona, scope: group ? 'chat' : 'account' }
  }

  reload(): ReturnType<PersonaRepository['reload']> {
    return this.#deps.personas.reload()
  }

  /** Suggestions while typing a persona name (Discord autocomplete). */
  async autocomplete(
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
}
