import type { Persona } from './persona.js'

/*
 * Card macros: `{{char}}`, `{{user}}`, `<BOT>`, `<USER>`, `{{original}}` and `{{// comments}}`.
 * Pure; re-exported by `persona-prompt.ts`, which is what callers import.
 */

/** What the macros resolve to. */
export interface MacroValues {
  /** What `{{char}}`/`<BOT>`/`<CHAR>` become: the persona's nickname when set, else its name. */
  readonly char: string
  /** What `{{user}}`/`<USER>` become: the person's display name. */
  readonly user: string
  /** What `{{original}}` becomes; omitted means the empty string. */
  readonly original?: string | undefined
}

/** The user name used when a display name is empty (V1 spec: a default user name must exist). */
export const DEFAULT_USER_NAME = 'User'

const MACRO = /\{\{\s*(char|user|original)\s*\}\}|<(bot|char|user)>|\{\{\s*\/\/[\s\S]*?\}\}/gi

/**
 * Expands `{{char}}`, `{{user}}`, `<BOT>`, `<CHAR>`, `<USER>` and `{{original}}`
 * (case-insensitively, spaces inside braces allowed) and removes `{{// comments}}`.
 * Expansion is a single pass, so a user name that itself contains `{{char}}` stays literal.
 * Never apply it to creator notes, tags or creator (they are not prompt-bound).
 */
export function expandMacros(text: string, values: MacroValues): string {
  if (!text.includes('{{') && !text.includes('<')) return text
  const user = values.user.trim() === '' ? DEFAULT_USER_NAME : values.user
  return text.replace(MACRO, (_match, curly?: string, angle?: string) => {
    const name = (curly ?? angle ?? '').toLowerCase()
    if (name === 'char' || name === 'bot') return values.char
    if (name === 'user') return user
    if (name === 'original') return values.original ?? ''
    return '' // {{// comment}}
  })
}

/** What `{{char}}` resolves to for a persona: the V3 nickname when set, else the name. */
export function charName(persona: Persona): string {
  const nick = persona.nickname?.trim()
  return nick ? nick : persona.name
}

/** Macro values for a persona talking to `user` (a display name). */
export function macroValues(persona: Persona, user: string, original?: string): MacroValues {
  return { char: charName(persona), user, original }
}
