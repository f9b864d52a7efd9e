import { findCut } from './cut-position.js'
import {
  closers,
  EMPTY_STATE,
  type MarkdownState,
  reopeners,
  scanMarkdown,
} from './markdown-state.js'

export interface SplitOptions {
  /** Most characters (UTF-16 code units) a message may have, as `measure` counts them. */
  readonly limit: number
  /**
   * How the platform counts a chunk (Telegram: the visible text after conversion). Defaults
   * to the Markdown's own length (Discord). Every chunk is checked with it.
   */
  readonly measure?: (chunk: string) => number
}

/** Text longer than this many limits is never measured whole (a cut is needed anyway). */
const WHOLE_MEASURE_FACTOR = 1.5

/**
 * Splits Markdown into messages of at most `limit` (as `measure` counts), cutting at paragraph,
 * then code-fence, line, sentence and word boundaries; never inside a word, link, URL, custom
 * emoji or HTML entity unless one alone is longer than a message. A code block, emphasis,
 * strike, spoiler, code span or quote line that crosses a cut is closed at the end of one
 * message and reopened at the start of the next. A cut depends only on the text before it (and
 * one character after), so while a reply streams in, its earlier messages never change.
 * Returns no chunks for blank text.
 */
export function splitMessage(text: string, options: SplitOptions | number = 2000): string[] {
  return splitParts(text, options).map((part) => part.text)
}

/** One message of a split: its text and the part of the source it shows (`[from, to)`). */
export interface SplitPart {
  readonly text: string
  readonly from: number
  readonly to: number
}

/** {@link splitMessage}, also telling which part of the source each message shows. */
export function splitParts(text: string, options: SplitOptions | number = 2000): SplitPart[] {
  const { limit, measure: custom } = typeof options === 'number' ? { limit: options } : options
  const measure = custom ?? ((s: string) => s.length)
  if (limit < 40) throw new RangeError('limit must be at least 40 characters')
  const chunks: SplitPart[] = []
  let state: MarkdownState = EMPTY_STATE
  let pos = 0
  let lineStart = true
  while (pos < text.length) {
    // Reopening must leave room for text; if a pathological fence would not, start afresh.
    if (reopeners(state).length + closers(state).length > limit / 4) state = EMPTY_STATE
    const head = reopeners(state)
    const rest = text.slice(pos)
    if (rest.trim() === '') break
    const whole = head + rest.trimEnd()
    const end = pos + rest.trimEnd().length
    if (
      whole.length <= limit * WHOLE_MEASURE_FACTOR &&
      (whole.length <= limit || custom !== undefined) &&
      measure(whole) <= limit
    ) {
      chunks.push({ text: whole, from: pos, to: end })
      break
    }
    // Room for what is open already; markers opened further on are caught by the check below.
    let budget = limit - head.length - closers(state).length
    for (;;) {
      const cut = findCut(text, pos, Math.max(1, budget), state.fence)
      const body = text.slice(pos, cut.at).trimEnd()
      const after = scanMarkdown(text, pos, cut.at, state, lineStart)
      const chunk = head + body + closers(after)
      const size = measure(chunk)
      if (size <= limit || budget <= 1) {
        if (body.trim() !== '') chunks.push({ text: chunk, from: pos, to: pos + body.length })
        // A quote marker is only repeated when the cut falls inside one of its lines.
        state = cut.lineStart ? { ...after, quote: '' } : after
        pos = cut.at + cut.skip
        lineStart = cut.lineStart
        break
      }
      budget -= Math.max(1, size - limit)
    }
    if (state.fence === null) {
      while (pos < text.length && /\s/.test(text[pos] as string)) {
        if (text[pos] === '\n') lineStart = true
        pos++
      }
    }
  }
  return chunks
}
