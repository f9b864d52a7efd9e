/**
 * Fields in which libraries' errors carry what a person or a persona wrote: grammY's
 * `payload.text`/`caption`, discord.js's `requestBody.json.content`, Ollama request `messages`.
 */
const TEXT_KEYS = new Set(['text', 'caption', 'content', 'messages', 'prompt', 'summary', 'html'])

const MAX_DEPTH = 6

/**
 * A copy of a serialized error without message text: values under `TEXT_KEYS` become
 * `[N chars]`, so logs say that there was text and how long, never what it said. The error's
 * own `message` and `stack` are kept (libraries put no chat text there).
 */
export function hideMessageText(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => hideMessageText(item, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    if (TEXT_KEYS.has(key) && inner !== null && inner !== undefined) {
      out[key] = typeof inner === 'string' ? `[${inner.length} chars]` : '[hidden]'
    } else {
      out[key] = hideMessageText(inner, depth + 1)
    }
  }
  return out
}
