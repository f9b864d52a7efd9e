import type { LlmEvent } from '../core/ports/llm.js'
import { EventChannel } from './event-channel.js'

/**
 * The stream both `OllamaClient.chat` and `QueuedLlmClient.chat` return. `produce` starts when
 * iteration begins; it gets a signal that aborts when `signal` does or when the consumer stops
 * early before `done` (after `done` the HTTP exchange is over: aborting it would only cost the
 * keep-alive connection). The stream ends when `produce` resolves and throws what it rejects
 * with; stopping early waits for `produce` to settle.
 */
export function llmEventStream(
  signal: AbortSignal | undefined,
  produce: (signal: AbortSignal, emit: (event: LlmEvent) => void) => Promise<void>,
): AsyncIterable<LlmEvent> {
  return {
    [Symbol.asyncIterator]: () => {
      const channel = new EventChannel<LlmEvent>()
      const controller = new AbortController()
      const combined = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal
      let finished = false
      const run = produce(combined, (event) => {
        if (event.type === 'done') finished = true
        channel.push(event)
      }).then(
        () => channel.end(),
        (err: unknown) => channel.fail(err),
      )
      return channel
        .onEarlyExit(async () => {
          if (!finished) controller.abort()
          await run
        })
        [Symbol.asyncIterator]()
    },
  }
}
