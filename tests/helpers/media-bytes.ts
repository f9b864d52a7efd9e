/** Bytes that pass the magic-byte check: a PNG signature followed by `size - 8` filler bytes. */
export function pngBytes(size = 2048): Uint8Array {
  const bytes = new Uint8Array(size)
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  for (let i = 8; i < size; i++) bytes[i] = (i * 31) % 251
  return bytes
}

/** A JPEG start (`FF D8 FF`) and filler. */
export function jpegBytes(size = 2048): Uint8Array {
  const bytes = pngBytes(size)
  bytes.set([0xff, 0xd8, 0xff, 0xe0])
  return bytes
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

/** The `images` of the newest user message of a recorded Ollama `/api/chat` body. */
export function imagesOf(body: unknown): string[] {
  const messages = (body as { messages: { role: string; images?: string[] }[] }).messages
  return messages.filter((m) => m.role === 'user').at(-1)?.images ?? []
}

/** The content of the newest user message of a recorded Ollama `/api/chat` body. */
export function lastUserContent(body: unknown): string {
  const messages = (body as { messages: { role: string; content: string }[] }).messages
  return messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''
}

/** The `model` of a recorded Ollama request body. */
export function modelOf(body: unknown): string {
  return (body as { model?: string } | undefined)?.model ?? ''
}
