import type { EmailTokenStore } from './email-stores.js'

export const MAX_REQUESTS_PER_HOUR = 3
const HOUR_MS = 60 * 60 * 1000

/** Why a verification request was refused: who hit the limit and when to try again. */
export interface VerificationLimited {
  readonly per: 'account' | 'address'
  readonly retryAfterSeconds: number
}

/**
 * At most `maxPerHour` verification emails per account and per address in any hour, counted
 * from the tokens already issued (so the limit holds across restarts and instances).
 */
export class VerificationRateLimit {
  readonly #tokens: EmailTokenStore
  readonly #maxPerHour: number

  constructor(tokens: EmailTokenStore, maxPerHour = MAX_REQUESTS_PER_HOUR) {
    this.#tokens = tokens
    this.#maxPerHour = maxPerHour
  }

  /** Null when another email may go to `email` for `accountId` now. */
  async check(accountId: string, email: string, now: number): Promise<VerificationLimited | null> {
    const since = now - HOUR_MS
    for (const filter of [{ accountId }, { email }]) {
      const count = await this.#tokens.countSince(filter, since)
      if (count >= this.#maxPerHour) {
        return {
          per: 'accountId' in filter ? 'account' : 'address',
          retryAfterSeconds: await this.#retryAfterSeconds(filter, now),
        }
      }
    }
    return null
  }

  /**
   * Seconds until the oldest request still counted leaves the one-hour window. Found by
   * bisecting `countSince` (only reached when limited, at most ~12 small queries).
   */
  async #retryAfterSeconds(
    filter: { accountId?: string; email?: string },
    now: number,
  ): Promise<number> {
    let lo = now - HOUR_MS
    let hi = now
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2)
      if ((await this.#tokens.countSince(filter, mid)) >= this.#maxPerHour) lo = mid
      else hi = mid
    }
    return Math.max(1, Math.ceil((hi - (now - HOUR_MS)) / 1000))
  }
}
