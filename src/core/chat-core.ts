import type { PlatformCaller } from './caller.js'
import type { CommandOption, CommandPermission, CommandReply } from './command.js'
import type { InboundMessage, PersonaSummary, Platform, ReplyEvent } from './types.js'

/** A command as adapters register it with their platform (no handler). */
export interface CommandDescriptor {
  readonly name: string
  readonly description: string
  readonly options: readonly CommandOption[]
  readonly permission: CommandPermission
  /** The command may take longer than Discord's 3-second window: adapters defer at once. */
  readonly slow?: boolean
}

/** One command invocation, platform-neutral: the caller as the adapter knows them, and the command. */
export interface CommandInvocation extends PlatformCaller {
  readonly name: string
  readonly args: Readonly<Record<string, string | undefined>>
}

/** How a command's answers reach the person; supplied by the adapter per invocation. */
export interface CommandIo {
  reply(reply: CommandReply): Promise<void>
  stream(events: AsyncIterable<ReplyEvent>): Promise<void>
}

/**
 * What every adapter (Discord, Telegram, terminal) talks to. Methods never throw for bad
 * input or downstream failures: they answer with a user-facing error instead.
 */
export interface ChatCore {
  readonly commands: readonly CommandDescriptor[]
  /**
   * Streams the persona's reply. The core decides here, once, whether to answer: a message
   * not for it (groups answer only when addressed, unless answer-all) yields no event at all,
   * so adapters render from the first event. Aborting `signal` cancels generation (and queued waits).
   */
  reply(message: InboundMessage, signal?: AbortSignal): AsyncIterable<ReplyEvent>
  /** Runs a command; unknown names, missing permission and disabled subsystems are answered, not thrown. */
  runCommand(invocation: CommandInvocation, io: CommandIo): Promise<void>
  /** Splits `/name a b c` text (without the command) into the command's named options. */
  parseArgs(commandName: string, text: string): Record<string, string | undefined>
  /** Suggestions for an option with an autocomplete source. */
  autocomplete(
    source: 'personas',
    query: string,
    where: { platform: Platform; platformUserId: string; chatId: string; adultAllowed: boolean },
  ): Promise<readonly { name: string; value: string }[]>
  /** Cancels the person's running or queued generation; true when there was one. */
  stop(platform: Platform, platformUserId: string): Promise<boolean>
  /**
   * The persona that answers the caller here and, when the conversation is new, its greeting
   * (stored as the persona's first message, so what is shown is what the model sees). For
   * adapters that open with a banner (the terminal chat). Optional for wrappers and doubles.
   */
  open?(caller: PlatformCaller): Promise<ChatOpening>
}

/** What `ChatCore.open` tells an adapter about the conversation it opens. */
export interface ChatOpening {
  readonly persona: PersonaSummary
  /** The persona's description on one line (macros expanded). */
  readonly description: string
  /** Null when the conversation already existed (it continues). */
  readonly greeting: string | null
}
