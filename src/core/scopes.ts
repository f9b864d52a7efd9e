import type { ChatKind, Platform } from './types.js'

/** Where a message or command happens, as the core needs it to pick scopes. */
export interface Place {
  readonly platform: Platform
  readonly chatId: string
  readonly chatKind: ChatKind
}

/** The DM scope of an account: shared across its linked platforms. */
export function accountScope(accountId: string): string {
  return `account:${accountId}`
}

/** The scope of a group chat: `<platform>:<chatId>`. */
export function chatScope(place: Place): string {
  return `${place.platform}:${place.chatId}`
}

/** The conversation scope of a place: the account's for DMs, the chat's for groups. */
export function conversationScope(place: Place, accountId: string): string {
  return place.chatKind === 'direct' ? accountScope(accountId) : chatScope(place)
}

/**
 * The Discord server scope of a chat, when there is one. Discord adapters pass group chat ids
 * as `<guildId>/<channelId>` (optionally `/<threadId>`); the server-wide defaults set with
 * `/channel` live under `discord-guild:<guildId>`. Other platforms have none.
 */
export function guildScope(place: Place): string | null {
  if (place.platform !== 'discord' || place.chatKind !== 'group') return null
  const slash = place.chatId.indexOf('/')
  return slash > 0 ? `discord-guild:${place.chatId.slice(0, slash)}` : null
}

/** True when the identity is listed in ADMINS. */
export function isListedAdmin(
  admins: readonly { platform: Platform; platformUserId: string }[],
  platform: Platform,
  platformUserId: string,
): boolean {
  return admins.some((a) => a.platform === platform && a.platformUserId === platformUserId)
}
