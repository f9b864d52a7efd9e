import type { Fence } from './markdown-state.js'

/** Where to end a chunk (`at`), how much to drop after it, and whether the next starts a line. */
export interface Cut {
  readonly at: number
  readonly skip: number
  readonly lineStart: boolean
}

const FENCE_LINE = /^ {0,3}(?:> ?)*(`{3,}|~{3,})(.*)$/
const SENTENCE_END = /[.!?…](?:["'”’»)\]*_]*)(?=\s)|[。！？](?:["'”’」』）]*)/gu
const UNFINISHED_ATOM = /(?:&#?[a-zA-Z0-9]{0,10}|<a?:\w{0,32}:?\d{0,25}|https?:\/\/\S*)$/

let graphemes: Intl.Segmenter | undefined

/**
 * The best place to end a chunk that starts at `pos` and may hold `budget` characters:
 * a paragraph break, then a code-fence boundary, a line break, a sentence end, a space;
 * only when none is found in reach, a hard cut between two graphemes, outside any HTML
 * entity, custom emoji or URL that starts in the chunk. Looks only at the text before the
 * cut and one character after it.
 */
export function findCut(text: string, pos: number, budget: number, fence: Fence | null): Cut {
  const end = Math.min(text.length, pos + budget)
  const lines = lineBreaks(text, pos, end, fence)
  const reach = (share: number) => pos + Math.floor(budget * share)

  const paragraph = lines.findLast((l) => l.blankAfter && !l.inFence && l.at >= reach(0.4))
  if (paragraph) return { at: paragraph.at, skip: 1, lineStart: true }
  const boundary = lines.findLast((l) => l.fenceBoundary && l.at >= reach(0.4))
  if (boundary) return { at: boundary.at, skip: 1, lineStart: true }
  const line = lines.findLast((l) => l.at >= reach(fence ? 0.2 : 0.5))
  if (line) return { at: line.at, skip: 1, lineStart: true }

  const lastLine = lines.at(-1)
  const from = lastLine ? lastLine.at + 1 : pos
  const open = unbracketed(text, from, end)
  if (!(lastLine ? lastLine.inFence : fence !== null)) {
    let sentence = -1
    SENTENCE_END.lastIndex = from
    for (let m = SENTENCE_END.exec(text); m && m.index < end; m = SENTENCE_END.exec(text)) {
      const after = m.index + m[0].length
      if (after <= end && open(after)) sentence = after
    }
    if (sentence >= reach(0.5)) return { at: sentence, skip: 0, lineStart: false }
  }
  for (let at = end; at > pos; at--) {
    if (/\s/.test(text[at] ?? '') && at < text.length && open(at)) {
      return { at, skip: 0, lineStart: false }
    }
  }
  return { at: hardCut(text, pos, end), skip: 0, lineStart: false }
}

interface LineBreak {
  /** Index of the `\n`. */
  readonly at: number
  readonly inFence: boolean
  readonly blankAfter: boolean
  /** Cutting here is just before an opening fence or just after a closing one. */
  readonly fenceBoundary: boolean
}

function lineBreaks(text: string, pos: number, end: number, fence: Fence | null): LineBreak[] {
  const out: LineBreak[] = []
  let open = fence
  let start = pos
  let closedHere = false
  while (start <= end) {
    const nl = text.indexOf('\n', start)
    const lineEnd = nl === -1 ? text.length : nl
    const midLine = start === pos && pos > 0 && text[pos - 1] !== '\n'
    const match =
      midLine || !mayBeFence(text, start) ? null : FENCE_LINE.exec(text.slice(start, lineEnd))
    let opening = false
    closedHere = false
    if (match && open) {
      const run = match[1] ?? ''
      if (run[0] === open.marker[0] && run.length >= open.marker.length && !match[2]?.trim()) {
        open = null
        closedHere = true
      }
    } else if (match && !(match[1]?.startsWith('`') && match[2]?.includes('`'))) {
      opening = true
      open = { marker: match[1] ?? '```', info: '' }
    }
    const previous = out.at(-1)
    if (opening && previous && !previous.inFence) {
      out[out.length - 1] = { ...previous, fenceBoundary: true }
    }
    if (nl === -1 || nl > end) break
    let next = nl + 1
    while (text[next] === ' ' || text[next] === '\t') next++
    const blankAfter = text[next] === '\n'
    out.push({ at: nl, inFence: open !== null, blankAfter, fenceBoundary: closedHere })
    start = nl + 1
  }
  return out
}

/** Whether the line at `start` may be a fence line: first character after blanks and `>` is ` or ~. */
export function mayBeFence(text: string, start: number): boolean {
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 0x20 && c !== 0x3e) return c === 0x60 || c === 0x7e
  }
  return false
}

/** A predicate: is a cut at this index outside `[link text]` (brackets opened on this line)? */
function unbracketed(text: string, from: number, end: number): (at: number) => boolean {
  const first = text.indexOf('[', from)
  if (first === -1 || first > end) return () => true
  const inside = new Set<number>()
  let depth = 0
  for (let i = from; i <= end && i < text.length; i++) {
    const c = text[i]
    if (c === '\\') i++
    else if (c === '[') depth++
    else if (c === ']' && depth > 0) depth--
    else if (depth > 0) inside.add(i)
  }
  return (at) => !inside.has(at)
}

function hardCut(text: string, pos: number, end: number): number {
  let at = end
  const atom = UNFINISHED_ATOM.exec(text.slice(Math.max(pos, at - 40), at))
  if (atom && at - atom[0].length > pos && !/^https?:/.test(atom[0])) at -= atom[0].length
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' })
  const from = Math.max(pos, at - 16)
  let boundary = from
  for (const { index } of graphemes.segment(text.slice(from, at + 16))) {
    if (from + index > at) break
    boundary = from + index
  }
  return boundary > pos ? boundary : at
}
