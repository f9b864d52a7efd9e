/** A domain-looking word: `example.com`, `www.paypal.com/login`, `https://x.y`. */
const DOMAIN_LIKE =
  /(?:[a-z][a-z0-9+.-]*:\/\/)?((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}]{2,63})(?![\p{L}\p{N}-])/giu

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return undefined
  }
}

const bare = (host: string) => host.replace(/^www\./, '').replace(/\.$/, '')

/** True when `shown` names `target` itself or a parent domain of it (`docs.x.com` shows `x.com`). */
function sameSite(shown: string, target: string): boolean {
  const a = bare(shown)
  const b = bare(target)
  return a === b || b.endsWith(`.${a}`)
}

/**
 * True when the visible text of a link names a URL or domain other than where the link goes,
 * e.g. `[paypal.com](https://evil.example)`: such a link is shown as its plain URL instead.
 */
export function isDeceptiveLink(visibleText: string, href: string): boolean {
  const target = hostOf(href)
  for (const match of visibleText.matchAll(DOMAIN_LIKE)) {
    const host = (match[1] ?? '').toLowerCase()
    if (target === undefined || !sameSite(host, target)) return true
  }
  return false
}

/** Schemes Telegram accepts in a text link and we let a reply use. */
export function isAllowedLink(href: string): boolean {
  return /^(?:https?:\/\/[^\s]+|tg:\/\/[^\s]+)$/i.test(href)
}
