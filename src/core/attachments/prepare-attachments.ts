import { AppError } from '../errors.js'
import type { Logger } from '../ports/logger.js'
import {
  type AttachmentKind,
  type AttachmentSource,
  AttachmentTooLarge,
  formatBytes,
  type MediaOptions,
} from './attachment.js'
import { imageFormat, looksLikeImage } from './image-check.js'
import { decodeTextFile, isTextFileName, quoteTextFile, TEXT_FILE_KINDS } from './text-file.js'

/** A message's attachments, checked and ready for one turn. */
export interface PreparedMedia {
  /** Stand-ins (`[picture: cat.png]`) and quoted text files: stored with the message. */
  readonly parts: readonly string[]
  /** The pictures' bytes, for this turn only: never stored. */
  readonly images: readonly Uint8Array[]
}

const UNSUPPORTED: Record<Exclude<AttachmentKind, 'photo' | 'file'>, string> = {
  sticker: 'stickers',
  video: 'videos',
  voice: 'voice messages',
  audio: 'audio files',
}

/** Bytes a text file of `maxChars` characters may take (UTF-8, up to 4 bytes each). */
const textBytes = (maxChars: number) => maxChars * 4

function refuse(reason: string, message = 'attachment refused'): never {
  throw new AppError('INVALID_INPUT', message, { reason })
}

/**
 * Checks a message's attachments against the limits, downloads them through their source
 * (size checked before and during the download, with a timeout), verifies pictures by their
 * magic bytes and decodes text files. Throws `INVALID_INPUT` with a reason naming the limit
 * or the file; nothing is kept beyond the returned parts and base64 pictures.
 */
export async function prepareAttachments(
  list: readonly AttachmentSource[],
  options: MediaOptions,
  signal: AbortSignal,
  log: Logger,
): Promise<PreparedMedia> {
  for (const a of list) {
    if (a.kind !== 'photo' && a.kind !== 'file') {
      refuse(`I can't handle ${UNSUPPORTED[a.kind]} yet. Send a picture, a text file or words.`)
    }
  }
  const images = list.filter((a) => a.kind === 'photo' || looksLikeImage(a.name, a.mime))
  const files = list.filter((a) => !images.includes(a))
  if (images.length > options.maxImages) {
    refuse(`You can send at most ${options.maxImages} pictures in one message.`)
  }
  for (const image of images) {
    if (image.declaredBytes !== null && image.declaredBytes > options.maxImageBytes) {
      refuse(tooBigImage(image.name, options))
    }
  }
  for (const file of files) {
    if (!isTextFileName(file.name)) {
      refuse(
        `I can't read ${file.name}: I read pictures (PNG, JPEG, WebP, GIF) and text files (${TEXT_FILE_KINDS}).`,
      )
    }
    if (file.declaredBytes !== null && file.declaredBytes > textBytes(options.maxFileChars)) {
      refuse(tooLongFile(file.name, options))
    }
  }
  const timeout = AbortSignal.timeout(options.downloadTimeoutMs)
  const both = AbortSignal.any([signal, timeout])
  const download = async (a: AttachmentSource, limit: number, tooBig: string) => {
    try {
      return await a.fetch(limit, both)
    } catch (err) {
      if (err instanceof AttachmentTooLarge) refuse(tooBig)
      if (signal.aborted) throw new AppError('CANCELLED', 'cancelled during a download')
      log.warn({ err, kind: a.kind, timedOut: timeout.aborted }, 'attachment download failed')
      return refuse(
        timeout.aborted
          ? `Downloading ${a.name} took too long. Please try again.`
          : `I couldn't download ${a.name}. Please try again.`,
        'attachment download failed',
      )
    }
  }
  const [pictures, texts] = await Promise.all([
    Promise.all(
      images.map(async (image) => {
        const bytes = await download(image, options.maxImageBytes, tooBigImage(image.name, options))
        if (imageFormat(bytes) === null) {
          refuse(
            `${image.name} is not a picture I can open: I read PNG, JPEG, WebP and GIF pictures.`,
          )
        }
        return bytes
      }),
    ),
    Promise.all(
      files.map(async (file) => {
        const bytes = await download(
          file,
          textBytes(options.maxFileChars),
          tooLongFile(file.name, options),
        )
        const text = decodeTextFile(bytes)
        if (text === null) refuse(`${file.name} is not a text file I can read.`)
        if ([...text].length > options.maxFileChars) refuse(tooLongFile(file.name, options))
        return quoteTextFile(file.name, text)
      }),
    ),
  ])
  return {
    parts: [...images.map((image) => `[picture: ${image.name}]`), ...texts],
    images: pictures,
  }
}

function tooBigImage(name: string, options: MediaOptions): string {
  return `${name} is too big: pictures can be at most ${formatBytes(options.maxImageBytes)}.`
}

function tooLongFile(name: string, options: MediaOptions): string {
  return `${name} is too long: text files can be at most ${options.maxFileChars} characters.`
}
