/** An open code fence: its marker run (```` ``` ````, `~~~~`...) and info string. */
export interface Fence {
  readonly marker: string
  readonly info: string
}

/** An inline marker run still open: `**`, `*`, `_`, `~~`, `||` or a backtick run. */
export interface OpenMarker {
  readonly marker: string
  /** Absolute index in the scanned text; -1 when carried over from an earlier chunk. */
  readonly at: number
}

/** What is open at some point of a Markdown text. */
export interface MarkdownState {
  readonly fence: Fence | null
  readonly inline: readonly OpenMarker[]
  /** The `> ` prefix of the current line, to reopen a quote cut in the middle of a line. */
  readonly quote: string
}

export const EMPTY_STATE: MarkdownState = { fence: null, inline: [], quote: '' }

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/
const BLOCK_START = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$)|^ {0,3}#{1,6}(?:[ \t]+|$)/
const QUOTE = /^(?: {0,3}>[ \t]?)+/

const ASCII_ALNUM = /^[A-Za-z0-9]$/
const isSpace = (c: string | undefined) => c === undefined || /\s/u.test(c)
const isPunct = (c: string | undefined) => c !== undefined && /[\p{P}\p{S}]/u.test(c)

/**
 * Scans `text[from, to)` starting in `state` (`lineStart`: whether `from` begins a line) and
 * returns the state at `to`: the open fence, and the emphasis, strike, spoiler and code-span
 * markers opened in the current paragraph and not yet closed. Flanking follows CommonMark,
 * except that `*` between ASCII letters or digits is literal (`2*3*4` opens nothing).
 */
export function scanMarkdown(
  text: string,
  from: number,
  to: number,
  state: MarkdownState = EMPTY_STATE,
  lineStart = true,
): MarkdownState {
  let fence = state.fence
  let inline = [...state.inline]
  let quote = state.quote
  let pos = from
  let first = true
  while (pos < to) {
    const newline = text.indexOf('\n', pos)
    const lineEnd = newline === -1 || newline >= to ? to : newline
    const complete = newline !== -1 && newline < to
    let offset = pos
    const atStart = !first || lineStart
    first = false
    let prose = true
    if (atStart) {
      const quoted = firstNonBlank(text, pos, lineEnd) === '>'
      quote = quoted ? (QUOTE.exec(text.slice(pos, lineEnd))?.[0] ?? '') : ''
      const bodyStart = pos + quote.length
      const lead = firstNonBlank(text, bodyStart, lineEnd)
      if (fence) {
        if (lead !== '`' && lead !== '~') {
          prose = false
          pos = complete ? lineEnd + 1 : lineEnd
          continue
        }
        const run = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(text.slice(bodyStart, lineEnd))?.[1] ?? ''
        if (run[0] === fence.marker[0] && run.length >= fence.marker.length) fence = null
        prose = false
      } else {
        const fenceLike = lead === '`' || lead === '~'
        const open = fenceLike ? FENCE_OPEN.exec(text.slice(bodyStart, lineEnd)) : null
        if (open && !(open[1]?.startsWith('`') && open[2]?.includes('`'))) {
          // Only the language is kept to reopen the block: `python title="x"` -> `python`.
          const language = /^[\w+#.-]{1,32}/.exec((open[2] ?? '').trim())?.[0] ?? ''
          fence = { marker: open[1] ?? '```', info: language }
          inline = []
        } else if (lead === '') {
          inline = []
          prose = false
        } else {
          const block =
            lead && '-+*#0123456789'.includes(lead)
              ? BLOCK_START.exec(text.slice(bodyStart, lineEnd))
              : null
          if (block) inline = []
          offset += quote.length + (block?.[0].length ?? 0)
        }
      }
    }
    if (!fence && prose) inline = scanInline(text, offset, lineEnd, inline)
    pos = complete ? lineEnd + 1 : lineEnd
  }
  return { fence, inline, quote }
}

function scanInline(text: string, from: number, to: number, start: OpenMarker[]): OpenMarker[] {
  const stack = start
  let i = from
  while (i < to) {
    const c = text[i] as string
    if (c === '\\') {
      i += 2
      continue
    }
    if (c !== '`' && c !== '*' && c !== '_' && c !== '~' && c !== '|') {
      i++
      continue
    }
    let end = i
    while (end < to && text[end] === c) end++
    const run = end - i
    const codeOpen = stack.findLastIndex((m) => m.marker[0] === '`')
    if (c === '`') {
      // A backtick run closes an open code span of the same length, else opens one.
      const open = stack[codeOpen]
      if (open && open.marker.length === run) stack.splice(codeOpen)
      else if (codeOpen === -1) stack.push({ marker: c.repeat(run), at: i })
      i = end
      continue
    }
    if (codeOpen !== -1) {
      i = end
      continue
    }
    const before = text[i - 1]
    const after = end < to ? text[end] : undefined
    const left = !isSpace(after) && (!isPunct(after) || isSpace(before) || isPunct(before))
    const right = !isSpace(before) && (!isPunct(before) || isSpace(after) || isPunct(after))
    const paired = c === '~' || c === '|'
    // `*` splits words except between ASCII letters/digits (`2*3*4`), `_` never does.
    const splits =
      paired || (c === '*' && !(ASCII_ALNUM.test(before ?? '') && ASCII_ALNUM.test(after ?? '')))
    const canOpen = splits ? left : left && (!right || isPunct(before))
    const canClose = splits ? right : right && (!left || isPunct(after))
    if (paired && run < 2) {
      i = end
      continue
    }
    let remaining = paired ? 2 : run
    if (canClose) remaining = closeRun(stack, c, remaining, paired)
    if (remaining > 0 && canOpen) stack.push({ marker: c.repeat(remaining), at: i })
    i = end
  }
  return stack
}

/** Closes open markers of `char` with a run of `length`; returns what is left of the run. */
function closeRun(stack: OpenMarker[], char: string, length: number, paired: boolean): number {
  let left = length
  while (left > 0) {
    const index = stack.findLastIndex((m) => m.marker[0] === char)
    if (index === -1) break
    const open = stack[index] as OpenMarker
    const used = paired ? 2 : Math.min(open.marker.length, left)
    left -= used
    const rest = open.marker.length - used
    stack.splice(index)
    if (rest > 0) stack.push({ marker: char.repeat(rest), at: open.at })
  }
  return left
}

/** The first character of `text[from, to)` that is not a space or tab ('' when none). */
function firstNonBlank(text: string, from: number, to: number): string {
  for (let i = from; i < to; i++) {
    const c = text[i] as string
    if (c !== ' ' && c !== '\t') return c
  }
  return ''
}

/** The markers that close everything open in `state` (innermost first). */
export function closers(state: MarkdownState): string {
  if (state.fence) return `\n${state.fence.marker}`
  return state.inline
    .map((m) => m.marker)
    .reverse()
    .join('')
}

/** The markers that reopen, at the start of a new message, what `closers` closed. */
export function reopeners(state: MarkdownState): string {
  if (state.fence) return `${state.fence.marker}${state.fence.info}\n`
  return state.quote + state.inline.map((m) => m.marker).join('')
}

/**
 * A partial (still streaming) Markdown text made safe to show: trailing markers with nothing
 * after them are dropped and every open fence, code span, emphasis, strike or spoiler is
 * closed, so `Hello **wor` shows as `Hello **wor**`. More text later simply continues it.
 */
export function closeOpenMarkdown(text: string): string {
  // A marker run at the very end cannot be told apart yet (`Hello **`): leave it out for now.
  let body = text
    .trimEnd()
    .replace(/(^|\s)[*_~|`]+$/u, '$1')
    .trimEnd()
  let state = scanMarkdown(body, 0, body.length)
  if (state.fence) return `${text.replace(/\n$/, '')}${closers(state)}`
  while (state.inline.length > 0) {
    const top = state.inline[state.inline.length - 1] as OpenMarker
    if (top.at < 0 || top.at + top.marker.length < body.length) break
    body = body.slice(0, top.at).trimEnd()
    state = scanMarkdown(body, 0, body.length)
  }
  return body + closers(state)
}
