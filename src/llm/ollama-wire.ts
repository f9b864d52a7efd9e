/** Small readers of Ollama's wire format, shared by the client and its tests. */

export function withSignal(init: RequestInit | undefined, signal: AbortSignal): AbortSignal {
  return init?.signal ? AbortSignal.any([init.signal, signal]) : signal
}

/** `model_info["<arch>.context_length"]` (a plain object on the wire despite the typings). */
export function contextLengthOf(modelInfo: unknown): number | null {
  if (!modelInfo || typeof modelInfo !== 'object') return null
  const info =
    modelInfo instanceof Map
      ? Object.fromEntries(modelInfo)
      : (modelInfo as Record<string, unknown>)
  const arch = info['general.architecture']
  const exact = typeof arch === 'string' ? info[`${arch}.context_length`] : undefined
  if (typeof exact === 'number') return exact
  for (const [key, value] of Object.entries(info)) {
    if (key.endsWith('.context_length') && typeof value === 'number') return value
  }
  return null
}
