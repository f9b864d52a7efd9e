import type { Account, ChatOrigin, Tier } from './types.js'

/** Who speaks and where, as the adapter knows it (before the core looks the person up). */
export interface PlatformCaller extends ChatOrigin {
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
