/** Extensions of text files quoted into a message: plain text, data and common source code. */
const TEXT_EXTENSIONS = new Set(
  [
    'txt md markdown csv tsv json jsonl yaml yml toml ini xml log',
    'js mjs cjs ts tsx jsx py rb go rs java kt c h cpp hpp cc cs php swift',
    'sh bash sql html css scss lua r pl scala dart vue svelte',
  ]
    .join(' ')
    .split(' '),
)

/** Whether the file name says it is a text file we quote (`.txt`, `.md`, `.csv`, `.json`, code). */
export function isTextFileName(name: string): boolean {
  const dot = name.lastIndexOf('.')
  return dot > 0 && TEXT_EXTENSIONS.has(name.slice(dot + 1).toLowerCase())
}

/** The languages people know from their extensions, for the names in messages. */
export const TEXT_FILE_KINDS = '.txt, .md, .csv, .json and source code'

/**
 * Decodes a text file: UTF-8 (a BOM is dropped), `\r\n` becomes `\n`. Null when the bytes are
 * not text (invalid UTF-8 or NUL bytes), so a renamed binary is refused.
 */
export function decodeTextFile(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
    return text.replace(/\r\n?/g, '\n')
  } catch {
    return null
  }
}

/** A text file as it goes into the message: its name, then its lines quoted. */
export function quoteTextFile(name: string, text: string): string {
  const body = text.replace(/\n+$/, '')
  return `[file: ${name}]\n${body
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n')}`
}
