/** `http://user:secret@gpu:11434/` → `http://gpu:11434`. */
export function redactHost(host: string): string {
  try {
    const url = new URL(host)
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`
  } catch {
    return host
  }
}
