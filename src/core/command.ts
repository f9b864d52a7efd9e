import type { Caller } from './caller.js'
import type { Logger } from './ports/logger.js'
import type { ReplyEvent } from './types.js'

export type CommandOptionType = 'string' | 'integer' | 'boolean'

export interface CommandOption {
  readonly name: string
  readonly description: string
  readonly type: CommandOptionType
  readonly required?: boolean
  /** Fixed values the option accepts (rendered as Discord choices). */
  readonly choices?: readonly { readonly name: string; readonly value: string }[]
  /** Where suggestions come from while typing (Discord autocomplete). */
  readonly autocomplete?: 'personas'
}

/** Who may run a command. `chat_admin`: Discord Manage Server / Telegram group admin. */
export type CommandPermission = 'everyone' | 'chat_admin' | 'admin'

/** What a command answers: text plus optional buttons, choices and a file. */
export interface CommandReply {
  readonly text: string
  /** Private answers: Discord ephemeral; adapters may DM instead in public places. */
  readonly ephemeral?: boolean
  /**
   * About the person (plan, email, memory, billing links, files of their data): never posted
   * in a group or channel. Adapters answer privately (Discord ephemeral, Telegram DM); when
   * they cannot, the group only gets "open a private chat with me first". Replies with links
   * or a file count as personal too.
   */
  readonly personal?: boolean
  /** URL buttons (subscribe, billing). */
  readonly links?: readonly { readonly label: string; readonly url: string }[]
  /** Buttons that run another command with fixed arguments (persona picker, confirmations). */
  readonly actions?: readonly {
    readonly label: string
    readonly command: string
    readonly args: Readonly<Record<string, string>>
  }[]
  /** A file to hand over: text (UTF-8) or bytes (a PNG character card). */
  readonly file?: {
    readonly name: string
    readonly mimeType: string
    readonly content: string | Uint8Array
  }
}

/** Everything a command sees of one invocation; no platform types. */
export interface CommandContext<Services = unknown> {
  /** Who runs the command and where, with the account and tier the runner resolved. */
  readonly caller: Caller
  readonly args: Readonly<Record<string, string | undefined>>
  readonly services: Services
  readonly log: Logger
  readonly now: number
  reply(reply: CommandReply | string): Promise<void>
  /** Renders a streamed persona reply (`/regenerate`). */
  stream(events: AsyncIterable<ReplyEvent>): Promise<void>
}

export interface Command<Services = unknown> {
  /** Matches `^[a-z0-9_]{1,32}$`, valid on Telegram and Discord. */
  readonly name: string
  readonly description: string
  readonly options?: readonly CommandOption[]
  readonly permission?: CommandPermission
  /** The subsystem the command needs; without it the command says it is not enabled. */
  readonly requires?: 'billing' | 'email'
  /** Lets adapters defer before running (Discord's 3-second window). */
  readonly slow?: boolean
  run(ctx: CommandContext<Services>): Promise<void>
}
