import type { LlmChatRequest } from '../core/ports/llm.js'

/**
 * Per-user fairness inside a tier: each request's round is how many requests the same user
 * already has outstanding in that tier, so one person's burst waits behind everyone's first.
 */
export class UserRounds {
  readonly #outstanding = new Map<string, number>()

  /** Counts the user's outstanding requests in the tier; returns their round in line. */
  enter(request: Pick<LlmChatRequest, 'tier' | 'userKey'>): number {
    const key = `${request.tier}:${request.userKey}`
    const round = this.#outstanding.get(key) ?? 0
    this.#outstanding.set(key, round + 1)
    return round
  }

  leave(request: Pick<LlmChatRequest, 'tier' | 'userKey'>): void {
    const key = `${request.tier}:${request.userKey}`
    const left = (this.#outstanding.get(key) ?? 1) - 1
    if (left <= 0) this.#outstanding.delete(key)
    else this.#outstanding.set(key, left)
  }
}
