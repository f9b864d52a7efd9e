/** Result of probing the configured Ollama hosts before a terminal chat starts. */
export type OllamaCheck =
  | {
      readonly ok: true
      readonly host: string
      /** Set when the host answers but does not have the model: how to install it. */
      readonly missingModel?: string | undefined
    }
  | { readonly ok: false; readonly message: string }

/** What the operator reads when no Ollama host answers (`npm run chat` and `npm start`). */
export function ollamaUnreachableMessage(hosts: readonly string[], model: string): string {
  return [
    `Ollama is not reachable at ${hosts.join(', ')}.`,
    'Start it in another terminal with:  ollama serve',
    `and install the model with:          ollama pull ${model}`,
    'Set OLLAMA_HOSTS if it runs elsewhere (for example OLLAMA_HOSTS=http://gpu-box:11434).',
  ].join('\n')
}

/** The exact command that installs `model` on `host`. */
export function ollamaPullCommand(host: string, model: string): string {
  const local = /^https?:\/\/(127\.0\.0\.1|localhost)(:11434)?\/?$/.test(host)
  return local ? `ollama pull ${model}` : `OLLAMA_HOST=${host} ollama pull ${model}`
}

/** What the operator reads when Ollama answers but the model is not installed. */
export function modelMissingMessage(host: string, model: string): string {
  return [
    `The model ${model} is not installed on Ollama at ${host}.`,
    `Install it with:  ${ollamaPullCommand(host, model)}`,
    '(or set OLLAMA_MODEL to a model you have, or OLLAMA_AUTO_PULL=true to pull it at start).',
  ].join('\n')
}

const canonical = (name: string) => (name.includes(':') ? name : `${name}:latest`)

/**
 * Asks each host for `/api/version` (short timeout) and returns the first that answers, or a
 * message for the person naming the hosts tried and how to start Ollama and pull the model.
 * When the host answers, its `/api/tags` tells whether `model` is installed (`missingModel`).
 */
export async function checkOllama(
  hosts: readonly string[],
  model: string,
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<OllamaCheck> {
  const doFetch = options.fetch ?? fetch
  const timeout = () => AbortSignal.timeout(options.timeoutMs ?? 3_000)
  for (const host of hosts) {
    const base = host.replace(/\/+$/, '')
    try {
      const res = await doFetch(`${base}/api/version`, { signal: timeout() })
      if (!res.ok) continue
    } catch {
      // Try the next host; the message below lists every host tried.
      continue
    }
    try {
      const tags = await doFetch(`${base}/api/tags`, { signal: timeout() })
      const body = (await tags.json()) as { models?: { name?: string; model?: string }[] }
      const names = (body.models ?? []).flatMap((m) => [m.name, m.model]).filter(Boolean)
      const installed = names.some((n) => canonical(String(n)) === canonical(model))
      return installed ? { ok: true, host } : { ok: true, host, missingModel: model }
    } catch {
      return { ok: true, host }
    }
  }
  return { ok: false, message: ollamaUnreachableMessage(hosts, model) }
}

/**
 * Model-server failures worded for the operator at their own terminal (what to run), instead
 * of the words a Discord or Telegram user reads. Other failures keep the usual words.
 */
export function ollamaOperatorMessages(
  hosts: readonly string[],
  defaultModel: string,
): (error: { code: string; params: Readonly<Record<string, unknown>> }) => string | undefined {
  return (error) => {
    const model = typeof error.params.model === 'string' ? error.params.model : defaultModel
    if (error.code === 'LLM_UNAVAILABLE' && !error.params.midReply) {
      return ollamaUnreachableMessage(hosts, model)
    }
    if (error.code === 'MODEL_MISSING') return modelMissingMessage(hosts[0] ?? '', model)
    return undefined
  }
}
