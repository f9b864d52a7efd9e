import type { ServerResponse } from 'node:http'

/** Telegram's `getFile` refuses files above 20 MB for bots on the public Bot API. */
export const GET_FILE_LIMIT = 20 * 1024 * 1024

interface StoredFile {
  readonly fileId: string
  readonly uniqueId: string
  readonly path: string
  readonly bytes: Uint8Array
  /** What `file_size` says (default: the real byte count). */
  readonly reportedSize: number
}

/**
 * Files users sent, as the Bot API serves them: `getFile` answers `file_path` and `file_size`,
 * and `GET /file/bot<token>/<file_path>` returns the bytes (with `content-length`).
 */
export class TelegramFilesDouble {
  readonly #byId = new Map<string, StoredFile>()
  readonly #byPath = new Map<string, StoredFile>()
  #next = 1
  /** Paths downloaded, in order. */
  readonly downloads: string[] = []

  /** Stores a file and returns the fields a message carries for it. */
  add(bytes: Uint8Array, folder: string, ext: string, reportedSize?: number) {
    const n = this.#next++
    const file: StoredFile = {
      fileId: `file-${n}-${'x'.repeat(8)}`,
      uniqueId: `uniq${n}`,
      path: `${folder}/file_${n}.${ext}`,
      bytes,
      reportedSize: reportedSize ?? bytes.byteLength,
    }
    this.#byId.set(file.fileId, file)
    this.#byPath.set(file.path, file)
    return { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.reportedSize }
  }

  /** The `getFile` method; throws `{ code, message }` like the other methods of the double. */
  getFile(body: Record<string, unknown>): unknown {
    const file = this.#byId.get(String(body.file_id ?? ''))
    if (!file) throw { code: 400, message: 'Bad Request: invalid file_id' }
    if (file.bytes.byteLength > GET_FILE_LIMIT) {
      throw { code: 400, message: 'Bad Request: file is too big' }
    }
    return {
      file_id: file.fileId,
      file_unique_id: file.uniqueId,
      file_size: file.reportedSize,
      file_path: file.path,
    }
  }

  /** Serves `/file/bot<token>/<path>`; false when the URL is not a file download. */
  serve(url: string, token: string, res: ServerResponse): boolean {
    const match = /^\/file\/bot([^/]+)\/(.+)$/.exec(url)
    if (!match) return false
    const file = match[1] === token ? this.#byPath.get(match[2] ?? '') : undefined
    if (!file) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }))
      return true
    }
    this.downloads.push(file.path)
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(file.bytes.byteLength),
    })
    res.end(file.bytes)
    return true
  }
}
