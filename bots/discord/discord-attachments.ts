import { type Attachment, type Message, MessageFlags } from 'discord.js'
import type { AttachmentKind, AttachmentSource } from '../../src/core/attachments/attachment.js'
import { downloadLimited } from '../shared/download.js'

function kindOf(attachment: Attachment, voice: boolean): AttachmentKind {
  const type = attachment.contentType?.toLowerCase() ?? ''
  if (type.startsWith('video/')) return 'video'
  if (type.startsWith('audio/')) return voice ? 'voice' : 'audio'
  return 'file'
}

/**
 * A Discord message's attachments (downloaded from their attachment URL, with the `size`
 * Discord reports) and stickers (which we cannot handle yet), platform-neutrally.
 */
export function attachmentsOf(message: Message, fetchImpl?: typeof fetch): AttachmentSource[] {
  const voice = message.flags.has(MessageFlags.IsVoiceMessage)
  const files: AttachmentSource[] = [...message.attachments.values()].map((a) => ({
    name: a.name,
    declaredBytes: a.size,
    mime: a.contentType ?? undefined,
    kind: kindOf(a, voice),
    fetch: (limit, signal) => downloadLimited(a.url, limit, signal, fetchImpl),
  }))
  const stickers: AttachmentSource[] = [...message.stickers.values()].map((s) => ({
    name: s.name,
    declaredBytes: null,
    kind: 'sticker',
    fetch: () => Promise.reject(new Error('stickers are not downloaded')),
  }))
  return [...files, ...stickers]
}
