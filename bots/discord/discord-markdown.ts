import { isDeceptiveLink } from '../shared/link-safety.js'
import { closeOpenMarkdown } from '../shared/markdown-state.js'
import { splitMessage } from '../shared/split-message.js'

/** Discord's limit for a message's content. */
export const MESSAGE_LIMIT = 2000

const MASKED_LINK =
  /(!?)\[([^\]\n]*)\]\(\s*<?(https?:\/\/[^\s<>()]+(?:\([^\s<>()]*\)[^\s<>()]*)*)>?(?:\s+"[^"\n]*")?\s*\)/g

/**
 * Replaces every masked link `[text](url)` whose text names another URL or domain with its
 * plain URL (code blocks and code spans untouched): Discord renders masked links in bot
 * messages, and `[paypal.com](https://evil.example)` must not pass for a PayPal link.
 */
export function neutraliseDeceptiveLinks(markdown: string): string {
  if (!markdown.includes('](')) return markdown
  return outsideCode(markdown, (prose) =>
    prose.replace(MASKED_LINK, (whole, _bang: string, text: string, url: string) =>
      isDeceptiveLink(text, url) ? url : whole,
    ),
  )
}

/** Applies `fn` to the parts of `markdown` outside fenced code blocks and code spans. */
function outsideCode(markdown: string, fn: (prose: string) => string): string {
  const parts = markdown.split(
    /(^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\2[ \t]*$|(?![\s\S]))|(`+)[^`]*?\3)/m,
  )
  let out = ''
  for (let i = 0; i < parts.length; i += 4) {
    out += fn(parts[i] ?? '')
    out += parts[i + 1] ?? ''
  }
  return out
}

/**
 * A reply's Discord messages: deceptive links neutralised, split at 2,000 characters (less
 * `reserved` for a header) with every `*`, `**`, `||`, code span and fence balanced per message;
 * while `streaming`, whatever the last message leaves open is closed for display.
 */
export function discordChunks(text: string, reserved = 0, streaming = false): string[] {
  const shown = neutraliseDeceptiveLinks(streaming ? closeOpenMarkdown(text) : text)
  return splitMessage(shown, MESSAGE_LIMIT - reserved)
}
