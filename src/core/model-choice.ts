import type { Speaker } from './caller.js'
import type { Persona } from './persona.js'
import type { AvailableModel, LlmClient } from './ports/llm.js'
import type { Logger } from './ports/logger.js'
import type { SettingsReader } from './rules.js'
import { chatScope, type Place } from './scopes.js'

export interface ModelChoiceOptions {
  /** ALLOWED_MODELS: the models `/model` may pick; empty = whatever the hosts have. */
  readonly allowedModels: readonly string[]
  /** PREMIUM_MODELS: models only premium members (and admins) may pick or use. */
  readonly premiumModels: readonly string[]
}

/** A model as `/model` lists it. */
export interface ListedModel extends AvailableModel {
  readonly premium: boolean
}

export type ModelCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly reason: 'unknown' | 'not_allowed' | 'premium' }

/** `llama3.2` and `llama3.2:latest` are the same model. */
export function sameModel(a: string, b: string): boolean {
  const full = (n: string) => (n.includes(':') ? n : `${n}:latest`).toLowerCase()
  return full(a) === full(b)
}

/**
 * Which model answers in a chat: the chat's `/model` choice over the persona's model, what
 * `/model` may choose (ALLOWED_MODELS, PREMIUM_MODELS, the hosts' models) and whether a model
 * can see pictures (`capabilities` from `/api/show`, cached by the LLM client).
 */
export class ModelChoice {
  readonly #llm: LlmClient
  readonly #log: Logger
  readonly #options: ModelChoiceOptions

  constructor(deps: { llm: LlmClient; log: Logger }, options: ModelChoiceOptions) {
    this.#llm = deps.llm
    this.#log = deps.log
    this.#options = options
  }

  isPremium(model: string): boolean {
    return this.#options.premiumModels.some((m) => sameModel(m, model))
  }

  isAllowed(model: string): boolean {
    const allowed = this.#options.allowedModels
    return allowed.length === 0 || allowed.some((m) => sameModel(m, model))
  }

  /** The model chosen for this chat with `/model`, if any. */
  async chosen(place: Place, settings: SettingsReader): Promise<string | null> {
    return (await settings(chatScope(place))).model ?? null
  }

  /**
   * The chat's choice when there is one and the speaker may use it (premium-only models answer
   * premium members only; the others get the persona's model), else the persona's model.
   */
  async modelFor(
    place: Place,
    personaModel: string,
    speaker: Pick<Speaker, 'tier'>,
    settings: SettingsReader,
  ): Promise<string> {
    const chosen = await this.chosen(place, settings)
    if (!chosen) return personaModel
    if (this.isPremium(chosen) && speaker.tier !== 'premium') return personaModel
    return chosen
  }

  /** Whether `model` can see pictures; false when no host can tell. */
  async canSee(model: string): Promise<boolean> {
    try {
      const info = await this.#llm.modelInfo(model)
      return info.capabilities?.includes('vision') ?? false
    } catch (err) {
      this.#log.debug({ err, model }, 'model capabilities unavailable')
      return false
    }
  }

  /** The model that answers a turn with pictures: null when neither can see. */
  async visionModel(model: string, persona: Persona, configured: string | undefined) {
    if (await this.canSee(model)) return model
    return persona.visionModel ?? configured ?? null
  }

  /** The models `/model` may choose, as the hosts have them now. */
  async list(): Promise<ListedModel[]> {
    const all = (await this.#llm.availableModels?.()) ?? []
    return all
      .filter((m) => this.isAllowed(m.name))
      .map((m) => ({ ...m, premium: this.isPremium(m.name) }))
  }

  /** Checks a `/model <name>` choice against ALLOWED_MODELS, the hosts and PREMIUM_MODELS. */
  async check(name: string, speaker: Pick<Speaker, 'tier'>): Promise<ModelCheck> {
    if (!this.isAllowed(name)) return { ok: false, reason: 'not_allowed' }
    const found = (await this.list()).find((m) => sameModel(m.name, name))
    if (!found) return { ok: false, reason: 'unknown' }
    if (found.premium && speaker.tier !== 'premium') return { ok: false, reason: 'premium' }
    return { ok: true, name: found.name }
  }
}
