import type { Caller } from './caller.js'
import type { ListedModel, ModelChoice } from './model-choice.js'
import type { Clock } from './ports/clock.js'
import type { Stores } from './ports/stores.js'
import type { Rules } from './rules.js'
import { chatScope } from './scopes.js'

export type ModelChange =
  | { readonly status: 'set'; readonly model: string }
  | { readonly status: 'cleared'; readonly model: string }
  | { readonly status: 'chat_admin_only' | 'unknown' | 'not_allowed' | 'premium' }

export interface ModelServiceDeps {
  readonly choice: ModelChoice
  readonly rules: Rules
  readonly stores: Pick<Stores, 'chatSettings'>
  readonly now: Clock
}

/** `/model`: the models people may choose, and the chat's choice. */
export class ModelService {
  readonly #deps: ModelServiceDeps

  constructor(deps: ModelServiceDeps) {
    this.#deps = deps
  }

  list(): Promise<ListedModel[]> {
    return this.#deps.choice.list()
  }

  /** The model that answers the caller here, and the chat's choice (null = the persona's). */
  async current(caller: Caller): Promise<{ model: string; chosen: string | null }> {
    const { rules, choice } = this.#deps
    const settings = rules.settingsReader()
    const persona = await rules.personaFor(caller, caller.account.id, settings)
    return {
      model: await choice.modelFor(caller, rules.modelFor(persona), caller, settings),
      chosen: await choice.chosen(caller, settings),
    }
  }

  /** Sets (or with `default` clears) the chat's model: chat admins, or anyone in a private chat. */
  async change(caller: Caller, name: string): Promise<ModelChange> {
    if (caller.chatKind === 'group' && !caller.isChatAdmin && !caller.isAdmin) {
      return { status: 'chat_admin_only' }
    }
    const scope = chatScope(caller)
    const { stores, now } = this.#deps
    if (name.toLowerCase() === 'default') {
      await stores.chatSettings.update(scope, { model: null }, now())
      return { status: 'cleared', model: (await this.current(caller)).model }
    }
    const checked = await this.#deps.choice.check(name, caller)
    if (!checked.ok) return { status: checked.reason }
    await stores.chatSettings.update(scope, { model: checked.name }, now())
    return { status: 'set', model: checked.name }
  }
}
