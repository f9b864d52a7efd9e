import type { PlatformCaller } from './caller.js'
import type { ChatOpening } from './chat-core.js'
import type { ConversationService } from './conversation-service.js'
import { summarizePersona } from './persona.js'
import { personaSheet } from './persona-prompt.js'
import type { Stores } from './ports/stores.js'
import type { Rules } from './rules.js'
import { conversationScope } from './scopes.js'

/**
 * `ChatCore.open`: the persona answering the caller here, its description on one line, and
 * the greeting the model treats as said: the one just stored for a new conversation, or the
 * stored one while nothing else has been said yet.
 */
export async function openConversation(
  deps: {
    rules: Rules
    conversations: ConversationService
    stores: Pick<Stores, 'conversations'>
  },
  caller: PlatformCaller,
): Promise<ChatOpening> {
  const speaker = await deps.rules.speaker(
    caller.platform,
    caller.platformUserId,
    caller.displayName,
    caller.handle,
  )
  const { persona, greeting } = await deps.conversations.open({ ...caller, ...speaker })
  let shown = greeting
  if (shown === null) {
    const scope = conversationScope(caller, speaker.account.id)
    const here = (await deps.stores.conversations.listByScope(scope)).find(
      (c) => c.personaId === persona.id,
    )
    const messages = here ? await deps.stores.conversations.recent(here.id, 2) : []
    const [only] = messages
    if (messages.length === 1 && only?.role === 'assistant') shown = only.content
  }
  return {
    persona: summarizePersona(persona),
    description: personaSheet(persona, caller.displayName).description.replace(/\s+/g, ' '),
    greeting: shown,
  }
}
