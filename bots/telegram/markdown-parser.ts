import MarkdownIt from 'markdown-it'
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs'

const STAR = 0x2a
const UNDERSCORE = 0x5f
const PIPE = 0x7c

/** The characters markdown-it's text rule stops at, plus `|` so `||spoilers||` are seen. */
const TERMINATORS = new Set('\n!#$%&*+-:<=>@[\\]^_`{}~|'.split('').map((c) => c.charCodeAt(0)))

function text(state: StateInline, silent: boolean): boolean {
  let pos = state.pos
  while (pos < state.posMax && !TERMINATORS.has(state.src.charCodeAt(pos))) pos++
  if (pos === state.pos) return false
  if (!silent) state.pending += state.src.slice(state.pos, pos)
  state.pos = pos
  return true
}

const isAsciiAlnum = (code: number) =>
  (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)

/**
 * CommonMark's emphasis tokenizer, except that `*` between two ASCII letters or digits cannot
 * open or close (as `_` cannot inside a word): `2*3*4` and `x*y` stay literal, while
 * `*she smiles*` is italic and `**元気**です` (no spaces in CJK) still bold.
 */
function emphasis(state: StateInline, silent: boolean): boolean {
  const marker = state.src.charCodeAt(state.pos)
  if (silent || (marker !== STAR && marker !== UNDERSCORE)) return false
  let end = state.pos
  while (state.src.charCodeAt(end) === marker) end++
  const inWord =
    isAsciiAlnum(state.src.charCodeAt(state.pos - 1)) && isAsciiAlnum(state.src.charCodeAt(end))
  const scanned = state.scanDelims(state.pos, marker === STAR && !inWord)
  for (let i = 0; i < scanned.length; i++) {
    const token = state.push('text', '', 0)
    token.content = String.fromCharCode(marker)
    pushDelimiter(state, marker, scanned.length, scanned)
  }
  state.pos += scanned.length
  return true
}

/** `||spoiler||`, tokenized like `~~strikethrough~~` (pairs of markers, balanced afterwards). */
function spoiler(state: StateInline, silent: boolean): boolean {
  if (silent || state.src.charCodeAt(state.pos) !== PIPE) return false
  const scanned = state.scanDelims(state.pos, true)
  let length = scanned.length
  if (length < 2) return false
  if (length % 2 === 1) {
    state.push('text', '', 0).content = '|'
    length--
  }
  for (let i = 0; i < length; i += 2) {
    state.push('text', '', 0).content = '||'
    pushDelimiter(state, PIPE, 0, scanned)
  }
  state.pos += scanned.length
  return true
}

/** Records the text token just pushed as a delimiter for the balancing pass. */
function pushDelimiter(
  state: StateInline,
  marker: number,
  length: number,
  scanned: { can_open: boolean; can_close: boolean },
): void {
  state.delimiters.push({
    marker,
    length,
    token: state.tokens.length - 1,
    end: -1,
    open: scanned.can_open,
    close: scanned.can_close,
  })
}

function pairSpoilers(state: StateInline, delimiters: StateInline['delimiters']): void {
  for (const start of delimiters) {
    if (start.marker !== PIPE || start.end === -1) continue
    const end = delimiters[start.end]
    const open = state.tokens[start.token]
    const close = end ? state.tokens[end.token] : undefined
    if (!open || !close) continue
    Object.assign(open, { type: 'spoiler_open', tag: 'tg-spoiler', nesting: 1, markup: '||' })
    Object.assign(close, { type: 'spoiler_close', tag: 'tg-spoiler', nesting: -1, markup: '||' })
    open.content = ''
    close.content = ''
  }
}

function spoilerPostProcess(state: StateInline): boolean {
  pairSpoilers(state, state.delimiters)
  for (const meta of state.tokens_meta) {
    if (meta?.delimiters) pairSpoilers(state, meta.delimiters)
  }
  return false
}

/**
 * A CommonMark parser (markdown-it) set up for chat replies: raw HTML stays text, no
 * typographic replacements (dialogue quotes stay as written), GFM tables and `~~strike~~`,
 * `||spoilers||`, no `*` emphasis between ASCII letters or digits, and no setext headings, so a `---` scene break
 * under a line of prose stays a scene break.
 */
export function createMarkdownParser(): MarkdownIt {
  const md = new MarkdownIt('default', { html: false, linkify: false, typographer: false })
  md.disable('lheading')
  md.inline.ruler.at('text', text)
  md.inline.ruler.at('emphasis', emphasis)
  md.inline.ruler.before('emphasis', 'spoiler', spoiler)
  md.inline.ruler2.before('emphasis', 'spoiler', spoilerPostProcess)
  return md
}
