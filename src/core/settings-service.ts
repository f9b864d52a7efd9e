import type { Caller } from './caller.js'
import type { Clock } from './ports/clock.js'
import type { Stores } from './ports/stores.js'
import type { Rules } from './rules.js'
import { chatScope, guildScope } from './scopes.js'
import type { ChatSettings } from './types.js'

export interface SettingsServiceDeps {
  readonly rules: Rules
  readonly stores: Pick<Stores, 'accounts' | 'chatSettings'>
  readonly now: Clock
}

/** The caller's own settings (18+) and the settings of their chat (`/settings`, `/channel`). */
export class SettingsService {
  readonly #deps: SettingsServiceDeps

  constructor(deps: SettingsServiceDeps) {
    this.#deps = deps
  }

  /**
   * Whether adult personas may be used here: in DMs the adapter allows it and the account
   * confirmed 18+; in groups the adapter allows it or (not on Discord) a chat admin enabled it.
   */
  async adultAllowedHere(caller: Caller): Promise<boolean> {
    return this.#deps.rules.adultAllowed(caller, caller.account)
  }

  async setAdultConfirmed(caller: Caller, confirmed: boolean): Promise<void> {
    await this.#deps.stores.accounts.setAdultConfirmed(
      caller.account.id,
      confirmed,
      this.#deps.now(),
    )
  }

  /** Settings of the caller's group chat. */
  async chat(caller: Caller): Promise<ChatSettings> {
    return this.#deps.stores.chatSettings.get(chatScope(caller))
  }

  async updateChat(caller: Caller, patch: Partial<ChatSettings>): Promise<ChatSettings> {
    return this.#deps.stores.chatSettings.update(chatScope(caller), patch, this.#deps.now())
  }

  /**
   * Updates the Discord server-wide defaults (`discord-guild:<guildId>`) of the caller's
   * channel; null when the chat has no server (not Discord, or a DM).
   */
  async updateServer(caller: Caller, patch: Partial<ChatSettings>): Promise<ChatSettings | null> {
    const scope = guildScope(caller)
    return scope ? this.#deps.stores.chatSettings.update(scope, patch, this.#deps.now()) : null
  }
}
