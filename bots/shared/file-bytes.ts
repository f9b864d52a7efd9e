/** A command's file as bytes (text files are UTF-8). */
export function fileBytes(content: string | Uint8Array): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content)
}
