const FENCE = /^\s*(```+|~~~+)\s*([\w+#.-]*)/

/** Where a code fence stands at the end of some text: open (with its marker and language) or closed. */
interface FenceState {
  readonly marker: string
  readonly lang: string
}

function fenceAtEnd(text: string, start: FenceState | null): FenceState | null {
  let state = start
  for (const line of text.split('\n')) {
    const match = FENCE.exec(line)
    if (!match) continue
    const marker = match[1] ?? '```'
    if (state === null) state = { marker, lang: match[2] ?? '' }
    else if (marker.startsWith(state.marker[0] ?? '`') && marker.length >= state.marker.length) {
      state = null
    }
  }
  return state
}

/** The best cut position in `window` (a prefix of the text): paragraph, line, sentence, word. */
function cutPosition(window: string): { at: number; skip: number } {
  const floor = Math.floor(window.length * 0.4)
  const paragraph = window.lastIndexOf('\n\n')
  if (paragraph >= floor) return { at: paragraph, skip: 2 }
  const line = window.lastIndexOf('\n')
  if (line >= floor) return { at: line, skip: 1 }
  let sentence = -1
  for (const match of window.matchAll(/[.!?…][)"'”’\]]*\s/g)) {
    sentence = match.index + match[0].length - 1
  }
  if (sentence >= floor) return { at: sentence, skip: 1 }
  const space = window.lastIndexOf(' ')
  if (space >= floor) return { at: space, skip: 1 }
  return { at: window.length, skip: 0 }
}

/**
 * Splits Markdown text into chunks of at most `limit` characters, preferring paragraph, line,
 * sentence and word boundaries. A code block cut in two is closed at the end of one chunk and
 * reopened (same fence and language) at the start of the next, so every chunk renders alone.
 */
export function splitMessage(text: string, limit = 2000): string[] {
  if (limit < 40) throw new RangeError('limit must be at least 40 characters')
  const chunks: string[] = []
  let rest = text
  let open: FenceState | null = null
  while (rest.length > 0) {
    const prefix = open ? `${open.marker}${open.lang}\n` : ''
    const body = prefix + rest
    if (body.length <= limit) {
      chunks.push(body)
      break
    }
    // Leave room for a closing fence in case the cut lands inside a code block.
    const reserve = 1 + Math.max(open?.marker.length ?? 3, 3) + 1
    const window = body.slice(0, limit - reserve)
    const { at, skip } = cutPosition(window.slice(prefix.length))
    const cut = prefix.length + at
    let chunk = body.slice(0, cut)
    const state = fenceAtEnd(chunk.slice(prefix.length), open)
    if (state) chunk = `${chunk.replace(/\s+$/, '')}\n${state.marker}`
    else chunk = chunk.replace(/\s+$/, '')
    if (chunk.trim().length > 0) chunks.push(chunk)
    rest = body.slice(cut + skip)
    if (!state) rest = rest.replace(/^\s*\n/, '')
    open = state
  }
  return chunks
}
