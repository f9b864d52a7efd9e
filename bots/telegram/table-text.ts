import type Token from 'markdown-it/lib/token.mjs'

/**
 * A GFM table (its tokens, `table_open` to `table_close`) as aligned monospace text, for a
 * `pre` block: Telegram has no tables. Cells are plain text; columns padded to their widest cell.
 */
export function renderTable(
  tokens: readonly Token[],
  plain: (children: readonly Token[]) => string,
): string {
  const rows: string[][] = []
  let header = 0
  let row: string[] | undefined
  for (const token of tokens) {
    if (token.type === 'tr_open') row = []
    else if (token.type === 'tr_close' && row) {
      rows.push(row)
      row = undefined
    } else if (token.type === 'inline' && row) {
      row.push(
        plain(token.children ?? [])
          .replace(/\s+/g, ' ')
          .trim(),
      )
    } else if (token.type === 'thead_close') header = rows.length
  }
  const columns = Math.max(0, ...rows.map((r) => r.length))
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(1, ...rows.map((r) => [...(r[c] ?? '')].length)),
  )
  const line = (cells: readonly string[]) =>
    widths
      .map((w, c) => {
        const cell = cells[c] ?? ''
        return cell + ' '.repeat(w - [...cell].length)
      })
      .join(' | ')
      .trimEnd()
  const out = rows.map(line)
  if (header > 0) out.splice(header, 0, widths.map((w) => '-'.repeat(w)).join('-+-'))
  return out.join('\n')
}
