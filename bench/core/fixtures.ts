import type { Persona, PersonaRepository } from '../../src/core/persona.js'
import type { LlmChatRequest, LlmClient, LlmEvent } from '../../src/core/ports/llm.js'
import type { Entitlement } from '../../src/core/ports/services.js'

/** One persona with a realistic prompt: its description, scenario and examples. */
export const persona: Persona = {
  id: 'bench',
  name: 'Bench',
  description: 'A calm and precise assistant persona used for measuring the core.',
  personality: 'calm, precise',
  scenario: 'A quiet study.',
  greeting: 'Hello {{user}}.',
  alternateGreetings: [],
  exampleDialogues: '<START>\n{{user}}: hi\n{{char}}: Hello there.',
  systemPrompt: '',
  postHistoryInstructions: '',
  creatorNotes: '',
  lore: [
    {
      keys: ['tea'],
      secondaryKeys: [],
      selective: false,
      content: 'Bench drinks green tea.',
      constant: false,
      enabled: true,
      insertionOrder: 0,
      caseSensitive: false,
      priority: 10,
      useRegex: false,
    },
  ],
  loreScanDepth: 4,
  loreTokenBudget: 400,
  options: { temperature: 0.8 },
  think: false,
  tier: 'free',
  nsfw: false,
  exportable: true,
  tags: [],
  sourceFile: 'bench.yaml',
  raw: {},
}

/** A repository holding only {@link persona}. */
export const personas: PersonaRepository = {
  list: () => [persona],
  get: (id) => (id === persona.id ? persona : undefined),
  find: (q) => (q === persona.id ? persona : undefined),
  reload: async () => ({ loaded: 1, errors: [] }),
  exportCard: () => undefined,
}

/** Answers at once: no network, no waiting, so only the core's own work is measured. */
export class InstantLlm implements LlmClient {
  chat(request: LlmChatRequest): AsyncIterable<LlmEvent> {
    const events: LlmEvent[] = [
      { type: 'started', model: request.model, host: 'instant' },
      { type: 'delta', text: 'Sure.' },
      {
        type: 'done',
        text: 'Sure.',
        model: request.model,
        host: 'instant',
        fallbackUsed: false,
        promptTokens: 120,
        completionTokens: 2,
        totalDurationMs: 0,
        tokensPerSecond: 0,
        cached: false,
      },
    ]
    return (async function* () {
      yield* events
    })()
  }
  async modelInfo() {
    return { contextLength: 8192 }
  }
  async health() {
    return []
  }
}

/** Everyone is on the free tier. */
export const free: Entitlement = { tier: 'free', source: 'none', until: null, status: null }
