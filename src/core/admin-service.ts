import type { PersonaRepository } from './persona.js'
import type { Clock } from './ports/clock.js'
import type { LlmClient, LlmHostHealth } from './ports/llm.js'
import type { ReplicaDirectory, ReplicaSummary } from './ports/replicas.js'
import type { StarsRevenue } from './ports/stars.js'
import type { Stores } from './ports/stores.js'
import type { Account, Identity, Platform } from './types.js'

export interface AdminServiceDeps {
  readonly stores: Pick<Stores, 'accounts' | 'subscriptions' | 'stars' | 'blocks' | 'audit'>
  readonly personas: PersonaRepository
  /** Asked for each Ollama host's state and concurrency in `/admin stats`. */
  readonly llm?: Pick<LlmClient, 'health'> | undefined
  readonly now: Clock
  /** Telegram Stars is enabled: stats include its subscribers and revenue. */
  readonly stars?: boolean | undefined
  /** The live processes (replicas) and what each owns. */
  readonly replicas?: ReplicaDirectory | undefined
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
  /** Each Ollama host: up or down and how many generations it gets at once. */
  readonly llmHosts: readonly LlmHostHealth[]
  /** People blocked in the console, with a platform handle when they have one. */
  readonly blocked: readonly { readonly accountId: string; readonly label: string }[]
  /** The live processes sharing the database and what each owns. */
  readonly replicas: readonly ReplicaSummary[]
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

  /** Writes one audit log entry (who, what, to whom, when). */
  async audit(
    actor: string,
    action: string,
    target: string,
    detail: string,
    now: number,
  ): Promise<void> {
    await this.#deps.stores.audit.record({ actor, action, target, detail, createdAt: now })
  }

  async stats(): Promise<AdminStats> {
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
      llmHosts: (await this.#deps.llm?.health().catch(() => [])) ?? [],
      blocked: await this.#blocked(),
      replicas: (await this.#deps.replicas?.live().catch(() => [])) ?? [],
    }
  }

  async #blocked(): Promise<{ accountId: string; label: string }[]> {
    const { accounts, blocks } = this.#deps.stores
    const list = await blocks.list()
    return Promise.all(
      list.map(async (b) => {
        const ids = await accounts.identities(b.accountId)
        const label = ids
          .map((i) => `${i.platform}:${i.platformUserId}${i.handle ? ` (${i.handle})` : ''}`)
          .join(', ')
        return { accountId: b.accountId, label: label || b.accountId }
      }),
    )
  }
}
