import type { Persona } from './persona.js'
import {
  activeLore,
  charName,
  exampleDialogueBlocks,
  personaSystemMessage,
  postHistoryInstructions,
} from './persona-prompt.js'

export { personaGreeting } from './persona-prompt.js'

/** The persona's prompt pieces for one turn, macro-expanded, ready for `buildContext`. */
export interface PromptParts {
  readonly system: string
  readonly examples: readonly string[]
  readonly postHistory: string
}

/**
 * Builds the system text (system prompt, persona sheet and activated lore), the example
 * dialogue blocks (rendered as text for the system message) and the post-history instructions
 * of a persona talking to `userName`. `recentTexts` (oldest first, including the new message)
 * decide which keyword lore entries activate.
 */
export function personaPromptParts(
  persona: Persona,
  userName: string,
  recentTexts: readonly string[],
  estimate: (text: string) => number,
): PromptParts {
  const lore = activeLore(persona, recentTexts, { estimateTokens: estimate, user: userName })
  const char = charName(persona)
  const examples = exampleDialogueBlocks(persona, userName).map(
    (block) =>
      `Example of how ${char} talks:\n${block
        .map((m) =>
          m.role === 'user'
            ? `${userName}: ${m.content}`
            : m.role === 'assistant'
              ? `${char}: ${m.content}`
              : m.content,
        )
        .join('\n')}`,
  )
  return {
    system: personaSystemMessage(persona, userName, lore),
    examples,
    postHistory: postHistoryInstructions(persona, userName),
  }
}
