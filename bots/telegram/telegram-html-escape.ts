/** Escapes text for Telegram's HTML parse mode (`<`, `>`, `&`). */
export function escapeTelegramHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

/** Escapes text for a double-quoted HTML attribute. */
export const escapeAttribute = (text: string) => escapeTelegramHtml(text).replaceAll('"', '&quot;')

/** The text a reader sees for our own HTML (tags dropped, the four entities we emit decoded). */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&')
}
