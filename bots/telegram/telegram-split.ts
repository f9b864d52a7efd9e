import { splitMessage } from '../shared/split-message.js'
import { visibleText } from './telegram-html-escape.js'
import { markdownToTelegramHtml } from './telegram-html-renderer.js'

/** Telegram's limit for a message text: characters after entity parsing (UTF-16 code units). */
export const TELEGRAM_TEXT_LIMIT = 4096

/** The visible length of Markdown once rendered for Telegram, as Telegram counts it. */
export function telegramLength(markdown: string): number {
  return visibleText(markdownToTelegramHtml(markdown)).length
}

/** Splits a Markdown reply into Telegram messages, each at most `limit` visible characters. */
export function splitForTelegram(markdown: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  return splitMessage(markdown, { limit, measure: telegramLength })
}
