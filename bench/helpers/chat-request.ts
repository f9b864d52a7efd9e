import type { LlmChatRequest } from '../../src/core/ports/llm.js'
import type { Tier } from '../../src/core/types.js'

let seq = 0

/** A one-line chat request from a new person each time, so no two share a cache entry or a turn. */
export function chatRequest(
  tier: Tier = 'free',
  options?: LlmChatRequest['options'],
): LlmChatRequest {
  seq += 1
  return {
    model: 'llama3.2',
    messages: [{ role: 'user', content: `question ${seq}` }],
    options,
    tier,
    userKey: `user-${seq}`,
  }
}
