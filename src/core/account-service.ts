import type { Caller } from './caller.js'
import { exportAccountData } from './export-account-data.js'
import type { Persona } from './persona.js'
import type { Clock } from './ports/clock.js'
import type { Entitlement, EntitlementReader } from './ports/services.js'
import type { Stores } from './ports/stores.js'
import { formatDuration, msUntilUtcMidnight, utcDay } from './quota.js'
import type { Rules } from './rules.js'
import type { Tier } from './types.js'

export interface AccountServiceDeps {
  readonly rules: Rules
  readonly stores: Stores
  readonly entitlements: EntitlementReader
  readonly now: Clock
}

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

/** What the caller's account holds: its status (`/status`) and all its data (`/export`). */
export class AccountService {
  readonly #deps: AccountServiceDeps

  constructor(deps: AccountServiceDeps) {
    this.#deps = deps
  }

  async status(caller: Caller): Promise<StatusInfo> {
    const { rules, now: clock } = this.#deps
    const now = clock()
    const entitlement = caller.isAdmin
      ? { tier: 'premium' as const, source: 'admin' as const, until: null, status: null }
      : await this.#deps.entitlements.entitlement(caller.account.id, now)
    const used = await this.#deps.stores.usage.get(caller.account.id, utcDay(now))
    const persona = await rules.personaFor(caller, caller.account.id)
    return {
      tier: caller.tier,
      entitlement,
      isAdmin: caller.isAdmin,
      usedToday: used.messages,
      dailyLimit: rules.dailyLimit(caller),
      resetIn: formatDuration(msUntilUtcMidnight(now)),
      persona,
      model: rules.modelFor(persona),
      email: caller.account.email,
      emailVerified: caller.account.emailVerified,
    }
  }

  /** Everything stored about the caller's account, as plain JSON. */
  async exportData(caller: Caller): Promise<Record<string, unknown>> {
    return exportAccountData(this.#deps.stores, caller.account, this.#deps.now())
  }
}
