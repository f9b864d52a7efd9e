import type { Api } from 'grammy'
import type { Logger } from '../../src/core/ports/logger.js'
import { BoundedMap } from '../shared/bounded-map.js'

/** Answers "is this user an admin of this group?" with `getChatMember`, cached briefly. */
export class ChatAdmins {
  readonly #api: Api
  readonly #log: Logger
  readonly #ttlMs: number
  readonly #cache = new BoundedMap<string, { admin: boolean; until: number }>(5_000)

  constructor(deps: { api: Api; log: Logger }, options: { ttlMs?: number } = {}) {
    this.#api = deps.api
    this.#log = deps.log
    this.#ttlMs = options.ttlMs ?? 60_000
  }

  /** Always true in private chats; false when Telegram cannot tell (logged). */
  async isAdmin(chatId: number, userId: number, isGroup: boolean): Promise<boolean> {
    if (!isGroup) return true
    const key = `${chatId}:${userId}`
    const now = Date.now()
    const cached = this.#cache.get(key)
    if (cached && cached.until > now) return cached.admin
    try {
      const member = await this.#api.getChatMember(chatId, userId)
      const admin = member.status === 'creator' || member.status === 'administrator'
      this.#cache.set(key, { admin, until: now + this.#ttlMs })
      return admin
    } catch (err) {
      this.#log.warn({ err, chatId }, 'telegram getChatMember failed; treating as non-admin')
      return false
    }
  }
}
