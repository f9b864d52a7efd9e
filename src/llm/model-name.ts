/** Ollama treats `llama3.2` and `llama3.2:latest` as the same model. */
export function canonicalModel(name: string): string {
  const trimmed = name.trim()
  return trimmed.includes(':') ? trimmed : `${trimmed}:latest`
}

export function sameModel(a: string, b: string): boolean {
  return canonicalModel(a) === canonicalModel(b)
}
