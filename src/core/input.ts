import { AppError } from './errors.js'

// C0 and C1 controls except tab and newline; carriage returns become newlines first.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g

/** Normalises line breaks and strips control characters except `\n` and `\t`. Never throws. */
export function sanitizeInput(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '')
}

// Format characters (zero-width spaces and joiners, direction marks, BOM) and separators: a
// message made only of these shows nothing, so it counts as empty. They are kept otherwise
// (emoji joiners, right-to-left text need them).
const INVISIBLE = /[\p{Cf}\p{Z}\s]/gu

/**
 * Cleans a person's message and checks it: returns the text to store, or throws
 * `INVALID_INPUT` (empty after cleaning) / `INPUT_TOO_LONG` (more than `maxChars`).
 */
export function validateInput(text: string, maxChars: number): string {
  const clean = sanitizeInput(text).trim()
  if (clean.replace(INVISIBLE, '') === '') {
    throw new AppError('INVALID_INPUT', 'empty message', {
      reason: 'Your message was empty. Type something to talk to me.',
    })
  }
  const length = [...clean].length
  if (length > maxChars) {
    throw new AppError('INPUT_TOO_LONG', 'message too long', { length, limit: maxChars })
  }
  return clean
}

/** `validateInput` for a message with attachments: the text may be empty ('' then). */
export function validateCaption(text: string, maxChars: number): string {
  const clean = sanitizeInput(text).trim()
  return clean.replace(INVISIBLE, '') === '' ? '' : validateInput(clean, maxChars)
}
