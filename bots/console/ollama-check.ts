/** Result of probing the configured Ollama hosts before a terminal chat starts. */
export type OllamaCheck =
  | { readonly ok: true; readonly host: string }
  | { readonly ok: false; readonly message: string }

/**
 * Asks each host for `/api/version` (short timeout) and returns the first that answers, or a
 * message for the person naming the hosts tried and how to start Ollama and pull the model.
 */
export async function checkOllama(
  hosts: readonly string[],
  model: string,
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<OllamaCheck> {
  const doFetch = options.fetch ?? fetch
  for (const host of hosts) {
    try {
      const res = await doFetch(`${host.replace(/\/+$/, '')}/api/version`, {
        signal: AbortSignal.timeout(options.timeoutMs ?? 3_000),
      })
      if (res.ok) return { ok: true, host }
    } catch {
      // Try the next host; the message below lists every host tried.
    }
  }
  return {
    ok: false,
    message: [
      `Ollama is not reachable at ${hosts.join(', ')}.`,
      'Start it in another terminal with:  ollama serve',
      `and install the model with:          ollama pull ${model}`,
      'Set OLLAMA_HOSTS if it runs elsewhere (for example OLLAMA_HOSTS=http://gpu-box:11434).',
    ].join('\n'),
  }
}
