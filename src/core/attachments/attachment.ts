/**
 * What an adapter says about one attachment of a message. Adapters only map their platform's
 * attachments to this; the core decides what is allowed, downloads and checks the bytes.
 */
export interface AttachmentSource {
  /** The file name as the person sent it (Telegram photos get `photo.jpg`). */
  readonly name: string
  /** The size the platform reports before any download; null when it does not say. */
  readonly declaredBytes: number | null
  readonly mime?: string | undefined
  /**
   * What the platform calls it: `photo` (a compressed picture), `file` (a document or a Discord
   * attachment), or a kind we cannot handle yet (`sticker`, `video`, `voice`, `audio`).
   */
  readonly kind: AttachmentKind
  /**
   * Downloads the bytes through the platform's own file API. Rejects with `AttachmentTooLarge`
   * as soon as more than `limitBytes` arrive (or are announced), and when `signal` aborts.
   */
  fetch(limitBytes: number, signal: AbortSignal): Promise<Uint8Array>
}

export type AttachmentKind = 'photo' | 'file' | 'sticker' | 'video' | 'voice' | 'audio'

/** Thrown by `AttachmentSource.fetch` when the file is bigger than the limit it was given. */
export class AttachmentTooLarge extends Error {
  readonly limitBytes: number
  constructor(limitBytes: number) {
    super(`attachment larger than ${limitBytes} bytes`)
    this.limitBytes = limitBytes
    this.name = 'AttachmentTooLarge'
  }
}

/** The media limits and routing of one platform (MAX_IMAGE_BYTES, OLLAMA_VISION_MODEL...). */
export interface MediaOptions {
  /** MAX_IMAGE_BYTES (10 MB). */
  readonly maxImageBytes: number
  /** At most this many pictures per message (4). */
  readonly maxImages: number
  /** MAX_FILE_CHARS (20000): longest text file quoted into a message. */
  readonly maxFileChars: number
  /** IMAGE_MESSAGE_COST (5): messages an image turn counts against the daily quota. */
  readonly imageMessageCost: number
  /** IMAGES_FOR: `all` or `premium`. */
  readonly imagesFor: 'all' | 'premium'
  /** OLLAMA_VISION_MODEL: answers picture turns for personas whose model cannot see. */
  readonly visionModel?: string | undefined
  /** Longest wait for one download (30 s). */
  readonly downloadTimeoutMs: number
}

export const DEFAULT_MEDIA_OPTIONS: MediaOptions = {
  maxImageBytes: 10 * 1024 * 1024,
  maxImages: 4,
  maxFileChars: 20_000,
  imageMessageCost: 5,
  imagesFor: 'all',
  downloadTimeoutMs: 30_000,
}

/** `10 MB`, `512 KB`: a size limit as people read it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`
  return `${bytes} bytes`
}
