import type { ChatCore } from '../../src/core/chat-core.js'
import type { InboundMessage, ReplyEvent } from '../../src/core/types.js'

const PERSONA = { id: 'bench', name: 'Bench', tier: 'free', nsfw: false } as const

export interface ScriptedCoreOptions {
  /** The reply's tokens for one message. */
  readonly tokens: (message: InboundMessage) => readonly string[]
  /** Pause before each token, in ms. */
  readonly tokenMs: number
  /** Pause before the first token instead of `tokenMs` (0: none). */
  readonly firstTokenMs?: number
  /** Pause between `accepted` and `started`, like a model reading the prompt. */
  readonly startMs?: number
  /** Awaited before the reply is accepted (e.g. counting usage like the real core does). */
  readonly onMessage?: (message: InboundMessage) => Promise<void>
  /** Waits for a generation slot (after `accepted`) and returns its release. */
  readonly slot?: () => Promise<() => void>
  /** Hears each token as it is yielded. */
  readonly onToken?: (token: string, index: number) => void
  /** Awaited with the whole reply just before `done`. */
  readonly onDone?: (message: InboundMessage, text: string) => Promise<void> | void
}

const pause = (ms: number) =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()

/**
 * A scripted core for adapter benchmarks: every message is answered with the given tokens at a
 * steady pace, with none of the real core's work, so only the adapter and its platform double
 * are measured.
 */
export function scriptedCore(options: ScriptedCoreOptions): ChatCore {
  return {
    commands: [],
    async *reply(message): AsyncIterable<ReplyEvent> {
      const tokens = options.tokens(message)
      await options.onMessage?.(message)
      yield { type: 'accepted', persona: PERSONA, model: 'bench' }
      const release = (await options.slot?.()) ?? (() => {})
      try {
        await pause(options.startMs ?? 0)
        yield { type: 'started', model: 'bench' }
        for (const [i, token] of tokens.entries()) {
          await pause(i === 0 ? (options.firstTokenMs ?? options.tokenMs) : options.tokenMs)
          options.onToken?.(token, i)
          yield { type: 'delta', text: token }
        }
      } finally {
        release()
      }
      const text = tokens.join('').trim()
      await options.onDone?.(message, text)
      yield {
        type: 'done',
        text,
        persona: PERSONA,
        model: 'bench',
        fallbackUsed: false,
        promptTokens: 1,
        completionTokens: tokens.length,
        messageId: '1',
      }
    },
    runCommand: async () => {},
    parseArgs: () => ({}),
    autocomplete: async () => [],
    stop: async () => false,
  }
}
