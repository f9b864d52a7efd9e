import type { AttachmentSource } from './attachments/attachment.js'
import type { AppErrorCode, ErrorParams } from './errors.js'

export type Platform = 'discord' | 'telegram' | 'console'
export type ChatKind = 'direct' | 'group'
export type Tier = 'free' | 'premium'
export type Role = 'system' | 'user' | 'assistant'
export type MessageStatus = 'complete' | 'partial' | 'failed'

/** Who speaks and where, as the adapter knows it: what a message and a command both carry. */
export interface ChatOrigin {
  readonly platform: Platform
  readonly platformUserId: string
  readonly displayName: string
  /** The platform's unique handle, when the person has one (shown where identity matters). */
  readonly handle?: string | undefined
  /** Platform chat id; adapters append a thread/topic suffix so each thread is its own chat. */
  readonly chatId: string
  readonly chatKind: ChatKind
  /** The adapter allows adult content here (Discord age-restricted channel, Telegram DM). */
  readonly adultAllowed: boolean
}

/** One platform-neutral message, as every adapter hands it to the core. */
export interface InboundMessage extends ChatOrigin {
  /** The typed text or caption ('' when the message is only attachments). */
  readonly text: string
  /** Pictures and files sent with the message, described platform-neutrally. */
  readonly attachments?: readonly AttachmentSource[] | undefined
  /** Platform id of the message this one replies to, if any. */
  readonly replyToMessageId?: string | undefined
  /** Platform id of this message, if the platform has one. */
  readonly messageId?: string | undefined
  /** True when the bot/persona was mentioned, replied to or commanded. */
  readonly addressed: boolean
}

export interface PersonaSummary {
  readonly id: string
  readonly name: string
  readonly avatarUrl?: string | undefined
  readonly tier: Tier
  readonly nsfw: boolean
}

/** A failure a person is told about: adapters render it with `userMessageFor(code, params)`. */
export interface UserFacingError {
  readonly code: AppErrorCode
  readonly params: ErrorParams
}

/**
 * One event of a reply stream. Order: `accepted`, then any `queued`/`loading`, `started`,
 * `delta`s, and finally exactly one `done` or `error`.
 */
export type ReplyEvent =
  | { readonly type: 'accepted'; readonly persona: PersonaSummary; readonly model: string }
  | { readonly type: 'queued'; readonly position: number }
  | { readonly type: 'loading' }
  | { readonly type: 'started'; readonly model: string }
  | { readonly type: 'delta'; readonly text: string }
  | {
      readonly type: 'done'
      readonly text: string
      readonly persona: PersonaSummary
      /** The model that answered (differs from the persona's when a fallback answered). */
      readonly model: string
      readonly fallbackUsed: boolean
      readonly promptTokens: number
      readonly completionTokens: number
      /** Our stored id of the assistant message. */
      readonly messageId: string
    }
  | { readonly type: 'error'; readonly error: UserFacingError; readonly partialText?: string }

export interface Account {
  readonly id: string
  readonly email: string | null
  readonly emailVerified: boolean
  readonly adultConfirmed: boolean
  readonly createdAt: number
}

export interface Identity {
  readonly platform: Platform
  readonly platformUserId: string
  readonly accountId: string
  readonly displayName: string
  /** The platform's unique handle (`@name` on Telegram, the username on Discord), if any. */
  readonly handle: string | null
}

export interface Conversation {
  readonly id: string
  /** `account:<id>` for direct messages, `<platform>:<chatId>` for groups. */
  readonly scopeKey: string
  readonly kind: ChatKind
  readonly personaId: string
  readonly summary: string | null
  /** Id of the newest message the summary covers. */
  readonly summaryUpTo: number | null
  readonly createdAt: number
  readonly updatedAt: number
}

export interface StoredMessage {
  readonly id: number
  readonly conversationId: string
  readonly role: Role
  readonly accountId: string | null
  readonly speakerName: string | null
  readonly content: string
  readonly promptTokens: number | null
  readonly completionTokens: number | null
  readonly status: MessageStatus
  readonly model: string | null
  readonly createdAt: number
}

export interface NewMessage {
  readonly conversationId: string
  readonly role: Role
  readonly accountId?: string | null
  readonly speakerName?: string | null
  readonly content: string
  readonly status: MessageStatus
  readonly promptTokens?: number | null
  readonly completionTokens?: number | null
  readonly model?: string | null
  readonly createdAt: number
}

/** Settings of one chat scope (a group chat, a Discord channel or a Discord server). */
export interface ChatSettings {
  readonly personaId: string | null
  readonly answerAll: boolean
  readonly adultEnabled: boolean
  /** Persona ids allowed here; null = all. */
  readonly allowedPersonas: readonly string[] | null
  /** The model chosen here with `/model`; absent or null = the persona's model. */
  readonly model?: string | null | undefined
}

export interface DailyUsage {
  readonly messages: number
  readonly promptTokens: number
  readonly completionTokens: number
}

/** Health of one component, as `/health` lists it. */
export interface ComponentHealth {
  readonly name: string
  readonly status: 'up' | 'down' | 'disabled' | 'degraded'
  /** True when the platform cannot work without it (decides 200 vs 503). */
  readonly essential: boolean
  readonly detail?: string | undefined
}

/** A message the platform sends a person outside a reply (notices, command answers). */
export interface OutgoingNotice {
  readonly text: string
  readonly links?: readonly { readonly label: string; readonly url: string }[] | undefined
}
