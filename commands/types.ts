import type { Command, CommandContext } from '../src/core/command.js'
import type { Caller, CoreServices } from '../src/core/core-services.js'

/** A command served by the conversation core. */
export type CoreCommand = Command<CoreServices>
export type CoreCommandContext = CommandContext<CoreServices>

/** The caller of a command, as core services take it. */
export function callerOf(ctx: CoreCommandContext): Caller {
  return {
    platform: ctx.platform,
    platformUserId: ctx.platformUserId,
    displayName: ctx.displayName,
    chatId: ctx.chatId,
    chatKind: ctx.chatKind,
    adultAllowed: ctx.adultAllowed,
    account: ctx.account,
    isAdmin: ctx.isAdmin,
    isChatAdmin: ctx.isChatAdmin,
  }
}
