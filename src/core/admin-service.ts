import type { PersonaRepository } from './persona.js'
import type { Clock } from './ports/clock.js'
import type { LlmClient, LlmHostHealth } from './ports/llm.js'
import type { Stores } from './ports/stores.js'
import type { Account, Identity, Platform } from './types.js'

export interface AdminServiceDeps {
  readonly stores: Pick<Stores, 'accounts' | 'subscriptions'>
  readonly personas: PersonaRepository
  /** Asked for each Ollama host's state and concurrency in `/admin stats`. */
  readonly llm?: Pick<LlmClient, 'health'> | undefined
  readonly now: Clock
}

export interface AdminStats {
  readonly accounts: number
  readonly activeAccounts24h: number
  readonly messages24h: number
  readonly subscribers: number
  readonly personas: number
  /** Each Ollama host: up or down and how many generations it gets at once. */
  readonly llmHosts: readonly LlmHostHealth[]
}

/** What bot admins look up (`/admin stats`, `/admin user`). */
export class AdminService {
  readonly #deps: AdminServiceDeps

  constructor(deps: AdminServiceDeps) {
    this.#deps = deps
  }

  /** Finds an account by `platform:id` or account id. */
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

  async stats(): Promise<AdminStats> {
    const { stores, now } = this.#deps
    const since = now() - 86_400_000
    const stats = await stores.accounts.stats(since)
    return {
      accounts: stats.accounts,
      activeAccounts24h: stats.activeAccounts,
      messages24h: stats.messages,
      subscribers: await stores.subscriptions.countActive(now()),
      personas: this.#deps.personas.list().length,
      llmHosts: (await this.#deps.llm?.health().catch(() => [])) ?? [],
    }
  }
}
