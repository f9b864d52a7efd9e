import type { Persona } from './persona.js'
import type { ActivatedLore } from './persona-lore.js'
import { expandMacros, macroValues } from './persona-macros.js'
import type { ChatMessage } from './ports/llm.js'

/**
 * Prompt-side helpers for personas: macro expansion, lorebook activation and the persona's
 * prompt parts. Everything here is pure (no I/O, no state) and never throws for odd card text.
 *
 * Typical use by the context builder, per turn:
 * ```ts
 * const system = personaSystemMessage(persona, user, activeLore(persona, recentTexts, { estimateTokens }))
 * const examples = exampleDialogueBlocks(persona, user)   // add block by block while room remains
 * const post = postHistoryInstructions(persona, user)     // '' when the card has none
 * ```
 */
export {
  type ActivatedLore,
  type ActiveLoreOptions,
  activeLore,
} from './persona-lore.js'
export {
  charName,
  DEFAULT_USER_NAME,
  expandMacros,
  type MacroValues,
  macroValues,
} from './persona-macros.js'

/**
 * Our default system prompt: used when a card has no `system_prompt`, and what `{{original}}`
 * stands for inside a card's `system_prompt`. Macros in it are expanded like card text.
 */
export const DEFAULT_SYSTEM_PROMPT =
  "You are {{char}}. Write {{char}}'s next reply in this chat with {{user}}. Stay in character, " +
  'keep the voice and knowledge described below, and never speak for {{user}}.'

/**
 * What `{{original}}` stands for inside a card's `post_history_instructions`: we have no global
 * post-history prompt, so it is empty.
 */
export const DEFAULT_POST_HISTORY_INSTRUCTIONS = ''
/**
 * The persona's system prompt, expanded: the card's `system_prompt` with `{{original}}` =
 * {@link DEFAULT_SYSTEM_PROMPT}, or the default itself when the card has none.
 */
export function personaSystemPrompt(persona: Persona, user: string): string {
  const original = expandMacros(DEFAULT_SYSTEM_PROMPT, macroValues(persona, user))
  const own = persona.systemPrompt.trim()
  if (own === '') return original
  return expandMacros(own, macroValues(persona, user, original)).trim()
}

/** The persona's character sheet, each part expanded; empty parts are ''. */
export interface PersonaSheet {
  readonly description: string
  /** Prefixed like SillyTavern: `<char>'s personality: ...`; '' when the card has none. */
  readonly personality: string
  /** Prefixed `Scenario: ...`; '' when the card has none. */
  readonly scenario: string
}

/** Description, personality and scenario with macros expanded (never creator notes). */
export function personaSheet(persona: Persona, user: string): PersonaSheet {
  const values = macroValues(persona, user)
  const personality = expandMacros(persona.personality, values).trim()
  const scenario = expandMacros(persona.scenario, values).trim()
  return {
    description: expandMacros(persona.description, values).trim(),
    personality: personality === '' ? '' : `${values.char}'s personality: ${personality}`,
    scenario: scenario === '' ? '' : `Scenario: ${scenario}`,
  }
}

/**
 * The whole fixed system message: system prompt, description, personality, scenario and the
 * activated lore (already expanded, in insertion order), separated by blank lines. This part is
 * byte-identical between turns as long as the active lore does not change, which keeps Ollama's
 * prompt cache warm.
 */
export function personaSystemMessage(
  persona: Persona,
  user: string,
  lore: readonly ActivatedLore[] = [],
): string {
  const sheet = personaSheet(persona, user)
  return [
    personaSystemPrompt(persona, user),
    sheet.description,
    sheet.personality,
    sheet.scenario,
    ...lore.map((l) => l.content),
  ]
    .filter((part) => part !== '')
    .join('\n\n')
}

/**
 * The post-history instructions, expanded (`{{original}}` =
 * {@link DEFAULT_POST_HISTORY_INSTRUCTIONS}); '' when the card has none. The context builder
 * places them after the chat history (as a system message) where they weigh most.
 */
export function postHistoryInstructions(persona: Persona, user: string): string {
  const own = persona.postHistoryInstructions.trim()
  if (own === '') return DEFAULT_POST_HISTORY_INSTRUCTIONS
  return expandMacros(own, macroValues(persona, user, DEFAULT_POST_HISTORY_INSTRUCTIONS)).trim()
}

/** The greeting (index 0) or an alternate greeting (1..), expanded; '' when there is none. */
export function personaGreeting(persona: Persona, user: string, index = 0): string {
  const text = index === 0 ? persona.greeting : persona.alternateGreetings[index - 1]
  return text === undefined ? '' : expandMacros(text, macroValues(persona, user)).trim()
}

const START = /^\s*<start>\s*$/i
const SPEAKER = /^\s*(\{\{\s*(?:char|user)\s*\}\}|<(?:bot|char|user)>)\s*:\s?/i

/**
 * The example dialogues (`mes_example`) split at `<START>` into blocks of chat messages,
 * macros expanded. Lines starting `{{user}}:`/`<USER>:` become `user` messages,
 * `{{char}}:`/`<BOT>:` (or `<persona name>:`) become `assistant` messages, with the prefix
 * removed; lines without a prefix continue the previous message (text before the first
 * speaker becomes a `system` message). Empty blocks are dropped. Add blocks whole, first to
 * last, only while room remains (examples are the first thing sacrificed).
 */
export function exampleDialogueBlocks(persona: Persona, user: string): ChatMessage[][] {
  const values = macroValues(persona, user)
  const blocks: ChatMessage[][] = []
  let block: { role: ChatMessage['role']; lines: string[] }[] = []
  const flush = (): void => {
    const messages = block
      .map((m) => ({ role: m.role, content: expandMacros(m.lines.join('\n'), values).trim() }))
      .filter((m) => m.content !== '')
    if (messages.length > 0) blocks.push(messages)
    block = []
  }
  const names = [persona.name, persona.nickname].filter((n): n is string => Boolean(n?.trim()))
  for (const line of persona.exampleDialogues.replace(/\r/g, '').split('\n')) {
    if (START.test(line)) {
      flush()
      continue
    }
    const speaker = speakerOf(line, names)
    if (speaker) block.push({ role: speaker.role, lines: [speaker.rest] })
    else if (block.length > 0) block[block.length - 1]?.lines.push(line)
    else if (line.trim() !== '') block.push({ role: 'system', lines: [line] })
  }
  flush()
  return blocks
}

function speakerOf(
  line: string,
  names: readonly string[],
): { role: 'user' | 'assistant'; rest: string } | undefined {
  const m = SPEAKER.exec(line)
  if (m) {
    const role = /user/i.test(m[1] ?? '') ? 'user' : 'assistant'
    return { role, rest: line.slice(m[0].length) }
  }
  for (const name of names) {
    if (line.startsWith(`${name}:`)) {
      return { role: 'assistant', rest: line.slice(name.length + 1).replace(/^ /, '') }
    }
  }
  return undefined
}
