import type { Api } from 'grammy'
import type { Message } from 'grammy/types'
import {
  type AttachmentKind,
  type AttachmentSource,
  AttachmentTooLarge,
} from '../../src/core/attachments/attachment.js'
import { downloadLimited } from '../shared/download.js'

/** Downloads Telegram files: `getFile`, then `<apiRoot>/file/bot<token>/<file_path>`. */
export class TelegramFiles {
  readonly #api: Api
  readonly #root: string
  readonly #token: string

  constructor(api: Api, options: { token: string; apiRoot?: string | undefined }) {
    this.#api = api
    this.#token = options.token
    this.#root = (options.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '')
  }

  async download(fileId: string, limitBytes: number, signal: AbortSignal): Promise<Uint8Array> {
    // grammY types its signal with the abort-controller polyfill; the global one works at runtime.
    const file = await this.#api.getFile(fileId, signal as Parameters<Api['getFile']>[1])
    if (file.file_size !== undefined && file.file_size > limitBytes) {
      throw new AttachmentTooLarge(limitBytes)
    }
    if (!file.file_path) throw new Error('getFile returned no file_path')
    return downloadLimited(
      `${this.#root}/file/bot${this.#token}/${file.file_path}`,
      limitBytes,
      signal,
    )
  }
}

type Media = Pick<
  Message,
  'photo' | 'document' | 'sticker' | 'video' | 'video_note' | 'animation' | 'voice' | 'audio'
>

/** A Telegram message's photo, document and the kinds we cannot handle yet, platform-neutrally. */
export function attachmentsOf(message: Media, files: TelegramFiles): AttachmentSource[] {
  const source = (
    fileId: string,
    name: string,
    kind: AttachmentKind,
    bytes: number | undefined,
    mime?: string,
  ): AttachmentSource => ({
    name,
    kind,
    mime,
    declaredBytes: bytes ?? null,
    fetch: (limit, signal) => files.download(fileId, limit, signal),
  })
  const out: AttachmentSource[] = []
  // Sizes come smallest first: the largest is the picture as sent.
  const photo = message.photo?.at(-1)
  if (photo) out.push(source(photo.file_id, 'photo.jpg', 'photo', photo.file_size, 'image/jpeg'))
  const doc = message.document
  if (doc) {
    out.push(source(doc.file_id, doc.file_name ?? 'file', 'file', doc.file_size, doc.mime_type))
  }
  const other: [{ file_id: string; file_size?: number } | undefined, AttachmentKind, string][] = [
    [message.sticker, 'sticker', 'sticker'],
    [message.video ?? message.video_note ?? message.animation, 'video', 'video'],
    [message.voice, 'voice', 'voice message'],
    [message.audio, 'audio', 'audio'],
  ]
  for (const [file, kind, name] of other) {
    if (file) out.push(source(file.file_id, name, kind, file.file_size))
  }
  return out
}
