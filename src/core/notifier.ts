import type { Logger } from './ports/logger.js'
import type { Notifier, PlatformMessenger } from './ports/messenger.js'
import type { AccountStore } from './ports/stores.js'
import type { OutgoingNotice } from './types.js'

export interface AccountNotifierDeps {
  readonly accounts: AccountStore
  readonly log: Logger
}

/**
 * Delivers a notice to every platform identity of an account through the messengers the
 * running adapters registered. Never throws: failures are logged.
 */
export class AccountNotifier implements Notifier {
  readonly #accounts: AccountStore
  readonly #log: Logger
  readonly #messengers = new Map<string, PlatformMessenger>()

  constructor(deps: AccountNotifierDeps) {
    this.#accounts = deps.accounts
    this.#log = deps.log
  }

  /** Adapters register once they are connected. */
  register(messenger: PlatformMessenger): void {
    this.#messengers.set(messenger.platform, messenger)
  }

  async notifyAccount(accountId: string, notice: OutgoingNotice): Promise<void> {
    try {
      const identities = await this.#accounts.identities(accountId)
      await Promise.all(
        identities.map(async (identity) => {
          const messenger = this.#messengers.get(identity.platform)
          if (!messenger) return
          const ok = await messenger.sendDirect(identity.platformUserId, notice)
          if (!ok)
            this.#log.warn({ accountId, platform: identity.platform }, 'notice not delivered')
        }),
      )
    } catch (err) {
      this.#log.error({ err, accountId }, 'notifying account failed')
    }
  }
}
