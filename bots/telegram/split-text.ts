/** Telegram's limit for a message text, counted in UTF-16 code units after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096

const FENCE = /^ {0,3}```/
const CLOSE = '\n```'

/**
 * Splits model output (Markdown) into chunks of at most `limit` characters, preferring paragraph
 * breaks, then code-fence boundaries, then line breaks, then spaces. A code block cut in two is
 * closed at the end of one chunk and reopened (with its language) at the start of the next, so each
 * chunk renders on its own. The split of a prefix never depends on text after it, so chunks stay
 * stable while a reply streams in. Returns no chunks for blank text.
 */
export function splitText(text: string, limit: number = TELEGRAM_TEXT_LIMIT): string[] {
  const chunks: string[] = []
  let rest = text.trim().length === 0 ? '' : text.replace(/^\n+/, '')
  while (rest.length > limit) {
    const cut = findCut(rest, limit - CLOSE.length)
    const fence = openFenceAt(rest, cut)
    let head = rest.slice(0, cut).trimEnd()
    let tail = rest
      .slice(cut)
      .replace(/^[ \t]*\n+/, '')
      .replace(/^ +/, '')
    if (fence !== undefined) {
      head = `${head}${CLOSE}`
      tail = `${fence}\n${tail}`
    }
    if (head.trim().length > 0) chunks.push(head)
    rest = tail
  }
  if (rest.trim().length > 0) chunks.push(rest.trimEnd())
  return chunks
}

/** Where to cut `text` so that the head has at most `max` characters. */
function findCut(text: string, max: number): number {
  const window = text.slice(0, max + 1)
  const min = Math.floor(max / 4)
  const candidates: ((w: string) => number)[] = [
    (w) => lastOutsideFence(w, '\n\n', text),
    (w) => lastFenceBoundary(w),
    (w) => w.lastIndexOf('\n'),
    (w) => w.lastIndexOf(' '),
  ]
  for (const find of candidates) {
    const at = find(window)
    if (at >= min && at <= max) return at
  }
  // No boundary: a hard cut that never splits a surrogate pair.
  const code = text.charCodeAt(max - 1)
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max
}

function lastOutsideFence(window: string, needle: string, text: string): number {
  let at = window.lastIndexOf(needle)
  while (at > 0) {
    if (openFenceAt(text, at) === undefined) return at
    at = window.lastIndexOf(needle, at - 1)
  }
  return -1
}

/** The position just before a fence line (opening or closing), when cutting there is clean. */
function lastFenceBoundary(window: string): number {
  const lines = window.split('\n')
  let offset = window.length
  for (let i = lines.length - 1; i > 0; i--) {
    const line = lines[i] ?? ''
    offset -= line.length + 1
    if (FENCE.test(line)) {
      // Before an opening fence or after a closing one: either is outside any block.
      const inside = openFenceAt(window, offset)
      if (inside === undefined) return offset
      const afterClose = offset + 1 + line.length
      if (afterClose <= window.length - 1) return afterClose
    }
  }
  return -1
}

/** The opening fence line (e.g. "```ts") when position `at` of `text` is inside a code block. */
export function openFenceAt(text: string, at: number): string | undefined {
  let open: string | undefined
  let pos = 0
  for (const line of text.split('\n')) {
    if (pos >= at) break
    if (FENCE.test(line) && pos + line.length <= at) {
      open = open === undefined ? line.trim() : undefined
    }
    pos += line.length + 1
  }
  return open
}
