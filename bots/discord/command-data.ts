import {
  type APIApplicationCommandBasicOption,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js'
import type { CommandDescriptor } from '../../src/core/chat-core.js'
import type { CommandOption } from '../../src/core/command.js'

const OPTION_TYPE = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  boolean: ApplicationCommandOptionType.Boolean,
} as const

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`

function toOption(option: CommandOption): APIApplicationCommandBasicOption {
  const base = {
    name: option.name,
    description: clip(option.description || option.name, 100),
    required: option.required ?? false,
  }
  if (option.type === 'integer') return { ...base, type: ApplicationCommandOptionType.Integer }
  if (option.type === 'boolean') return { ...base, type: ApplicationCommandOptionType.Boolean }
  if (option.choices?.length) {
    return {
      ...base,
      type: OPTION_TYPE.string,
      choices: option.choices.slice(0, 25).map((c) => ({
        name: clip(c.name, 100),
        value: clip(c.value, 100),
      })),
    }
  }
  if (option.autocomplete) return { ...base, type: OPTION_TYPE.string, autocomplete: true }
  return { ...base, type: OPTION_TYPE.string }
}

/**
 * The slash-command JSON for one core command. Required options come first (Discord rejects
 * them after optional ones); `chat_admin` commands are hidden from members without Manage
 * Server by default (the core still checks).
 */
export function toDiscordCommandData(
  command: CommandDescriptor,
): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const options = command.options.map(toOption)
  return {
    type: ApplicationCommandType.ChatInput,
    name: command.name,
    description: clip(command.description || command.name, 100),
    options: [...options.filter((o) => o.required), ...options.filter((o) => !o.required)],
    default_member_permissions:
      command.permission === 'chat_admin' ? PermissionFlagsBits.ManageGuild.toString() : null,
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  }
}
