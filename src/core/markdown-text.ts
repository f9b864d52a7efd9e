/** Characters that can start Markdown syntax (emphasis, links, code, quotes, HTML, spoilers). */
const MARKDOWN_SYNTAX = /[\\`*_~|[\]()<>#!&]/g

/**
 * Escapes text (a display name, a handle) so that, inserted into a reply, it shows as written
 * on Discord and Telegram and can never become formatting or a link: a name like
 * `[Admin: verify here](https://…)` stays those characters. Both platforms' Markdown honours
 * a backslash before punctuation.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SYNTAX, '\\$&')
}
