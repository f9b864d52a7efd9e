import type { StoredMessage } from './discord-double.js'

/** Wire-format helpers of the Discord double: payload parsing, validation and error bodies. */

export interface MessagePayload {
  content?: string | null
  username?: string
  avatar_url?: string
  flags?: number
  components?: unknown[]
  allowed_mentions?: unknown
  message_reference?: { message_id?: string }
  files?: { filename: string; content: string }[]
}

export function fromPayload(payload: MessagePayload): Partial<StoredMessage> {
  return {
    content: payload.content ?? '',
    flags: payload.flags ?? 0,
    components: payload.components ?? [],
    allowedMentions: payload.allowed_mentions,
    attachments: payload.files ?? [],
  }
}

export class HttpAnswer {
  readonly status: number
  readonly body: unknown
  constructor(status: number, body: unknown) {
    this.status = status
    this.body = body
  }
}

export function invalidForm(field: string, message: string): HttpAnswer {
  return new HttpAnswer(400, {
    message: 'Invalid Form Body',
    code: 50035,
    errors: { [field]: { _errors: [{ code: 'BASE_TYPE_INVALID', message }] } },
  })
}

export function missingPermissions(): HttpAnswer {
  return new HttpAnswer(403, { message: 'Missing Permissions', code: 50013 })
}

export function cannotEditOthers(): HttpAnswer {
  return new HttpAnswer(403, {
    message: 'Cannot edit a message authored by another user',
    code: 50005,
  })
}

export function unknownMessage(): HttpAnswer {
  return new HttpAnswer(404, { message: 'Unknown Message', code: 10008 })
}

export function validateContent(body: unknown, isEdit = false): HttpAnswer | null {
  const payload = (body ?? {}) as MessagePayload
  const content = payload.content ?? ''
  if (content.length > 2000) {
    return new HttpAnswer(400, {
      message: 'Invalid Form Body',
      code: 50035,
      errors: {
        content: {
          _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }],
        },
      },
    })
  }
  const empty =
    content.length === 0 && !(payload.components?.length ?? 0) && !(payload.files?.length ?? 0)
  if (!isEdit && empty) {
    return new HttpAnswer(400, { message: 'Cannot send an empty message', code: 50006 })
  }
  return null
}

export async function parseBody(contentType: string, raw: Buffer): Promise<unknown> {
  if (raw.length === 0) return undefined
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Request('http://127.0.0.1/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    }).formData()
    const payload = JSON.parse(String(form.get('payload_json') ?? '{}')) as MessagePayload
    const files: { filename: string; content: string }[] = []
    for (const [key, value] of form.entries()) {
      if (key.startsWith('files[') && typeof value !== 'string') {
        files.push({ filename: value.name, content: await value.text() })
      }
    }
    return { ...payload, files }
  }
  return JSON.parse(raw.toString('utf8'))
}
