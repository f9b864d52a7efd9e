import { Api } from 'grammy'
import type { BotCommand } from 'grammy/types'
import type { CommandDescriptor } from '../../src/core/chat-core.js'

/** The command menu Telegram shows in private and group chats. */
export function telegramCommandList(commands: readonly CommandDescriptor[]): BotCommand[] {
  return commands.map((c) => ({
    command: c.name,
    description: c.description.slice(0, 256) || c.name,
  }))
}

/** `setMyCommands` for private chats and for groups; returns how many commands were set. */
export async function registerTelegramCommands(
  commands: readonly CommandDescriptor[],
  options: { readonly token: string; readonly apiRoot?: string | undefined },
): Promise<number> {
  const api = new Api(options.token, options.apiRoot ? { apiRoot: options.apiRoot } : {})
  const list = telegramCommandList(commands)
  await api.setMyCommands(list, { scope: { type: 'all_private_chats' } })
  await api.setMyCommands(list, { scope: { type: 'all_group_chats' } })
  return list.length
}
