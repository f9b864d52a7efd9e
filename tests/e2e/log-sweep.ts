/**
 * The redaction sweep: after an end-to-end run, no captured log line (stdout JSON or stderr
 * of any platform process) may contain a configured secret or a personal link token the
 * platform handed out (subscribe, billing and email verification links).
 */

const LINK_TOKEN_IN_URL = /\/(?:subscribe|billing)\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g
const QUERY_TOKEN = /[?&]token=([A-Za-z0-9_-]+)/g

/** Every link token found in texts the platform sent out (chat messages, mails). */
export function linkTokensIn(texts: readonly string[]): string[] {
  const tokens = new Set<string>()
  for (const text of texts) {
    for (const m of text.matchAll(LINK_TOKEN_IN_URL)) if (m[1]) tokens.add(m[1])
    for (const m of text.matchAll(QUERY_TOKEN)) if (m[1] && m[1].length >= 16) tokens.add(m[1])
  }
  return [...tokens]
}

export interface Leak {
  readonly what: string
  readonly line: string
}

/** Lines holding any of `secrets` (name -> value); values under 8 characters are skipped. */
export function findLeaks(
  lines: readonly string[],
  secrets: Readonly<Record<string, string | undefined>>,
): Leak[] {
  const leaks: Leak[] = []
  for (const [what, value] of Object.entries(secrets)) {
    if (!value || value.length < 8) continue
    for (const line of lines) {
      if (line.includes(value)) leaks.push({ what, line: line.slice(0, 500) })
    }
  }
  return leaks
}
