import { REST, Routes } from 'discord.js'
import type { CommandDescriptor } from '../../src/core/chat-core.js'
import { toDiscordCommandData } from './command-data.js'

export interface RegisterDiscordCommandsOptions {
  readonly token: string
  /** DISCORD_GUILD_ID: register to this server only (instant) instead of globally. */
  readonly guildId?: string | undefined
  /** DISCORD_API_URL (tests, proxies). */
  readonly apiUrl?: string | undefined
}

export interface DiscordRegistration {
  readonly scope: 'global' | 'guild'
  readonly count: number
  /** Global commands removed because the commands now live on one server. */
  readonly removedGlobal: number
}

/**
 * Registers the slash commands over REST, without a gateway connection: globally, or to one
 * server. Switching to a server removes the global commands, which would otherwise show up
 * twice in that server.
 */
export async function registerDiscordCommands(
  commands: readonly CommandDescriptor[],
  options: RegisterDiscordCommandsOptions,
): Promise<DiscordRegistration> {
  const rest = new REST(options.apiUrl ? { api: options.apiUrl } : {}).setToken(options.token)
  const app = (await rest.get(Routes.currentApplication())) as { id: string }
  const body = commands.map(toDiscordCommandData)
  if (!options.guildId) {
    await rest.put(Routes.applicationCommands(app.id), { body })
    return { scope: 'global', count: body.length, removedGlobal: 0 }
  }
  await rest.put(Routes.applicationGuildCommands(app.id, options.guildId), { body })
  const globals = (await rest.get(Routes.applicationCommands(app.id))) as unknown[]
  if (globals.length > 0) await rest.put(Routes.applicationCommands(app.id), { body: [] })
  return { scope: 'guild', count: body.length, removedGlobal: globals.length }
}
