/**
 * Text-level scrubbing for log lines: link tokens in URLs, bot tokens, API keys, passwords in
 * connection URLs, and literal secret values from the configuration. It runs on the finished
 * line, so it reaches every field of every logged object (library errors, request payloads,
 * child bindings), not only the paths the logger knows by name.
 */

const REDACTED = '[redacted]'

/** Signed subscribe/billing link tokens (`<base64url JSON>.<HMAC>`), with or without a URL. */
const LINK_TOKEN = /\beyJ[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{20,}/g
/** A personal link path: `/subscribe/<token>`, `/billing/<token>` (not `/billing/success`). */
const LINK_PATH = /\/(subscribe|billing)\/[A-Za-z0-9_-]{16,}(?:\.[A-Za-z0-9_-]{16,})?(?![\w.-])/g
/** Tokens in query strings: `?token=…` (email verification) and friends. */
const TOKEN_QUERY = /([?&](?:token|code|secret)=)[^&#\s"'\\<>]+/gi
/** Discord bot tokens: `<base64 id>.<timestamp>.<hmac>`. */
const DISCORD_TOKEN = /\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}/g

/** Hides link tokens in logged URLs (`/subscribe/<token>`, `/billing/<token>`, `?token=`). */
export function redactUrl(url: string): string {
  return url
    .replace(/\/(subscribe|billing)\/(?!success\b|cancel\b)[^/?#]+/g, `/$1/${REDACTED}`)
    .replace(/([?&]token=)[^&#]*/g, `$1${REDACTED}`)
    .replace(/\/bot\d+:[\w-]+\//g, `/bot${REDACTED}/`)
}

/**
 * Removes secrets that libraries quote inside error texts: Telegram bot tokens in request
 * URLs, passwords in connection URLs, Stripe keys and webhook secrets.
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(/bot\d+:[\w-]{10,}/g, `bot${REDACTED}`)
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/:@"]+:[^\s/@"]+@/gi, `$1${REDACTED}@`)
    .replace(/\b(sk|rk)_(test|live)_[A-Za-z0-9]+/g, REDACTED)
    .replace(/\bwhsec_[A-Za-z0-9]+/g, REDACTED)
    .replace(DISCORD_TOKEN, REDACTED)
}

/** Removes personal link tokens wherever they appear in a text. */
export function scrubLinkTokens(text: string): string {
  return text
    .replace(LINK_PATH, `/$1/${REDACTED}`)
    .replace(LINK_TOKEN, REDACTED)
    .replace(TOKEN_QUERY, `$1${REDACTED}`)
}

/**
 * A scrubber for finished log lines: the patterns above plus every literal secret given
 * (configured tokens and keys, whatever their shape). Secrets shorter than 8 characters are
 * ignored: replacing them would mangle ordinary words.
 */
export function createLineScrubber(
  secrets: readonly (string | undefined)[] = [],
): (line: string) => string {
  const literals = [...new Set(secrets.filter((s): s is string => !!s && s.length >= 8))].sort(
    (a, b) => b.length - a.length,
  )
  return (line) => {
    let out = scrubLinkTokens(scrubSecrets(line))
    for (const secret of literals) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    }
    return out
  }
}
