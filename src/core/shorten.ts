/**
 * `text` on one line, at most `max` characters: cut at the last word boundary that fits and
 * ended with an ellipsis (`…`). Text that fits is returned whole (whitespace collapsed).
 */
export function shortenAtWord(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= max) return flat
  const room = flat.slice(0, Math.max(0, max - 1))
  const space = room.lastIndexOf(' ')
  // A single very long word is cut where it must be.
  const cut = space > max / 3 ? room.slice(0, space) : room
  return `${cut.replace(/[\s,.;:!?—–-]+$/, '')}…`
}
