import { AppError } from './errors.js'
import type { Persona, PersonaRepository } from './persona.js'
import { accountScope, chatScope, guildScope, type Place } from './scopes.js'
import type { ChatSettings } from './types.js'

/** Reads the chat settings of a scope (`ChatSettingsStore.get`). */
export type SettingsReader = (scope: string) => Promise<ChatSettings>

/** The persona chosen in a scope's settings, if any and still loaded. */
export async function settingsPersona(
  personas: PersonaRepository,
  scope: string,
  settings: SettingsReader,
): Promise<Persona | undefined> {
  const { personaId } = await settings(scope)
  return personaId ? personas.get(personaId) : undefined
}

/** The first loaded persona; an error when none is loaded. */
export function defaultPersona(personas: PersonaRepository): Persona {
  const first = personas.list()[0]
  if (!first)
    throw new AppError('PERSONA_NOT_FOUND', 'no personas loaded', { persona: '(none loaded)' })
  return first
}

/**
 * The persona that answers in a place: DMs follow the account's choice; groups the chat's,
 * then the guild's; else the default persona.
 */
export async function personaFor(
  personas: PersonaRepository,
  place: Place,
  accountId: string,
  settings: SettingsReader,
): Promise<Persona> {
  if (place.chatKind === 'direct') {
    return (
      (await settingsPersona(personas, accountScope(accountId), settings)) ??
      defaultPersona(personas)
    )
  }
  const here = await settingsPersona(personas, chatScope(place), settings)
  if (here) return here
  const guild = guildScope(place)
  return (
    (guild ? await settingsPersona(personas, guild, settings) : undefined) ??
    defaultPersona(personas)
  )
}
