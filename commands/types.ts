import type { Command, CommandContext } from '../src/core/command.js'
import type { CommandServices } from '../src/core/command-services.js'

/** A command served by the conversation core. */
export type CoreCommand = Command<CommandServices>
export type CoreCommandContext = CommandContext<CommandServices>
