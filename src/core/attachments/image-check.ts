/** Picture formats a vision model is sent. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif'

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false
  return prefix.every((b, i) => bytes[at + i] === b)
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))

/**
 * The picture format by its magic bytes (never by name or declared type): PNG, JPEG, WebP
 * (`RIFF....WEBP`) and GIF (87a/89a; models read its first frame). Null for anything else.
 */
export function imageFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, PNG)) return 'png'
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp'
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif'
  return null
}

const IMAGE_NAME = /\.(png|jpe?g|webp|gif)$/i

/** Whether an attachment presents itself as a picture (by type or name); bytes decide later. */
export function looksLikeImage(name: string, mime: string | undefined): boolean {
  return mime?.toLowerCase().startsWith('image/') === true || IMAGE_NAME.test(name)
}
