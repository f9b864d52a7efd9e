import type { Account, ChatKind, Platform, Tier } from './types.js'

/** Who speaks and where, as the adapter knows it (before the core looks the person up). */
export interface PlatformCaller {
  readonly platform: Platform
  readonly platformUserId: string
  readonly displayName: string
  /** The platform's unique handle, when the person has one (shown where identity matters). */
  readonly handle?: string | undefined
  readonly chatId: string
  readonly chatKind: ChatKind
  /** The adapter allows adult content here (Discord age-restricted channel, Telegram DM). */
  readonly adultAllowed: boolean
  /** May change settings of this chat (Discord Manage Server, Telegram group admin). */
  readonly isChatAdmin: boolean
}

/** Who is talking, resolved once per message or command. */
export interface Speaker {
  /** The caller's account (created on first sight). */
  readonly account: Account
  /** Listed in ADMINS. */
  readonly isAdmin: boolean
  readonly tier: Tier
}

/** The person and place a command runs for, with what the core resolved about them. */
export interface Caller extends PlatformCaller, Speaker {}
