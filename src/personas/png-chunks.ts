import { crc32, deflateSync, inflateSync } from 'node:zlib'

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

export interface PngChunk {
  readonly type: string
  readonly data: Buffer
}

/** A file that is not a readable PNG. */
export class PngFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PngFormatError'
  }
}

/** Splits a PNG into its chunks (up to and including `IEND`); throws {@link PngFormatError}. */
export function readPngChunks(png: Uint8Array): PngChunk[] {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength)
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) {
    throw new PngFormatError('not a PNG file (bad signature)')
  }
  const chunks: PngChunk[] = []
  let pos = 8
  while (pos < buf.length) {
    if (pos + 8 > buf.length) throw new PngFormatError(`truncated chunk header at byte ${pos}`)
    const length = buf.readUInt32BE(pos)
    const type = buf.toString('latin1', pos + 4, pos + 8)
    const end = pos + 12 + length
    if (end > buf.length) throw new PngFormatError(`chunk ${type} at byte ${pos} is truncated`)
    chunks.push({ type, data: buf.subarray(pos + 8, pos + 8 + length) })
    pos = end
    if (type === 'IEND') return chunks
  }
  throw new PngFormatError('no IEND chunk')
}

/** Joins chunks into a PNG file, computing each CRC. */
export function encodePng(chunks: readonly PngChunk[]): Buffer {
  const parts: Buffer[] = [SIGNATURE]
  for (const chunk of chunks) {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(chunk.data.length, 0)
    head.write(chunk.type, 4, 'latin1')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(chunk.data, crc32(head.subarray(4, 8))), 0)
    parts.push(head, chunk.data, crc)
  }
  return Buffer.concat(parts)
}

/** Keywords of the text chunks that hold a character card; only these are ever inflated. */
export const CARD_KEYWORDS: readonly string[] = ['chara', 'ccv3']

/**
 * Most a compressed card chunk may inflate to. Real cards are a few hundred KiB of base64; the
 * cap keeps a decompression bomb (1 MiB of file inflating to gigabytes) from taking the memory.
 */
export const MAX_INFLATED_TEXT_BYTES = 8 * 1024 * 1024

/**
 * The text metadata of a PNG as `keyword → text`, keywords lower-cased (cards' `chara`/`ccv3`
 * are matched case-insensitively). Reads `tEXt` (Latin-1), `zTXt` and `iTXt` (UTF-8, maybe
 * compressed); the first chunk of a keyword wins. Compressed chunks are inflated only for the
 * card keywords ({@link CARD_KEYWORDS}), others are skipped; a corrupt compressed card chunk is
 * skipped too. Throws {@link PngFormatError} when a card chunk inflates to more than
 * {@link MAX_INFLATED_TEXT_BYTES}: the whole file is refused.
 */
export function pngTextChunks(png: Uint8Array): Map<string, string> {
  const out = new Map<string, string>()
  for (const { type, data } of readPngChunks(png)) {
    if (type !== 'tEXt' && type !== 'zTXt' && type !== 'iTXt') continue
    const nul = data.indexOf(0)
    if (nul <= 0) continue
    const keyword = data.toString('latin1', 0, nul).toLowerCase()
    if (out.has(keyword)) continue
    if (type !== 'tEXt' && !CARD_KEYWORDS.includes(keyword)) continue
    const text = decodeText(type, keyword, data.subarray(nul + 1))
    if (text !== undefined) out.set(keyword, text)
  }
  return out
}

function decodeText(type: string, keyword: string, rest: Buffer): string | undefined {
  if (type === 'tEXt') return rest.toString('latin1')
  if (type === 'zTXt') return inflateCapped(keyword, rest.subarray(1))?.toString('latin1')
  // iTXt: compression flag, method, language tag\0, translated keyword\0, text
  const compressed = rest[0] === 1
  const langEnd = rest.indexOf(0, 2)
  const transEnd = langEnd < 0 ? -1 : rest.indexOf(0, langEnd + 1)
  if (transEnd < 0) return undefined
  const body = rest.subarray(transEnd + 1)
  return (compressed ? inflateCapped(keyword, body) : body)?.toString('utf8')
}

/** Inflates at most {@link MAX_INFLATED_TEXT_BYTES}; undefined when the data is corrupt. */
function inflateCapped(keyword: string, body: Buffer): Buffer | undefined {
  try {
    return inflateSync(body, { maxOutputLength: MAX_INFLATED_TEXT_BYTES })
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PngFormatError(
        `the compressed ${keyword} chunk inflates to more than ${MAX_INFLATED_TEXT_BYTES / 1024 / 1024} MiB (a decompression bomb?); the file is refused`,
      )
    }
    // A corrupt compressed chunk is ignored like an absent one.
    return undefined
  }
}

/** A `tEXt` chunk; `text` must be Latin-1 (cards store base64). */
export function textChunk(keyword: string, text: string): PngChunk {
  return { type: 'tEXt', data: Buffer.from(`${keyword}\0${text}`, 'latin1') }
}

/**
 * Replaces the `tEXt`/`zTXt`/`iTXt` chunks with the given keywords (case-insensitively) by new
 * `tEXt` chunks placed just before `IEND`; the image itself is untouched.
 */
export function withTextChunks(png: Uint8Array, texts: Readonly<Record<string, string>>): Buffer {
  const replaced = new Set(Object.keys(texts).map((k) => k.toLowerCase()))
  const kept = readPngChunks(png).filter((c) => {
    if (c.type !== 'tEXt' && c.type !== 'zTXt' && c.type !== 'iTXt') return true
    const nul = c.data.indexOf(0)
    return !replaced.has(c.data.toString('latin1', 0, Math.max(nul, 0)).toLowerCase())
  })
  const iend = kept.findIndex((c) => c.type === 'IEND')
  const added = Object.entries(texts).map(([k, v]) => textChunk(k, v))
  return encodePng([...kept.slice(0, iend), ...added, ...kept.slice(iend)])
}

/** A valid 1×1 PNG (one grey pixel), for exporting a card that has no image of its own. */
export function blankPng(): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(1, 0) // width
  ihdr.writeUInt32BE(1, 4) // height
  ihdr[8] = 8 // bit depth
  ihdr[9] = 0 // greyscale
  const pixels = Buffer.from([0, 0x80]) // filter byte + one grey sample
  return encodePng([
    { type: 'IHDR', data: ihdr },
    { type: 'IDAT', data: deflateSync(pixels) },
    { type: 'IEND', data: Buffer.alloc(0) },
  ])
}
