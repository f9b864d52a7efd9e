import { AttachmentTooLarge } from '../../src/core/attachments/attachment.js'

/**
 * Downloads `url` with at most `limitBytes`: refuses at once when `content-length` says more,
 * and stops reading (cancelling the body) as soon as more arrives. Errors never include the
 * URL (Telegram file URLs hold the bot token).
 */
export async function downloadLimited(
  url: string,
  limitBytes: number,
  signal: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): Promise<Uint8Array> {
  const res = await fetchImpl(url, { signal })
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined)
    throw new Error(`download failed with HTTP ${res.status}`)
  }
  const declared = Number(res.headers.get('content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > limitBytes) {
    await res.body.cancel().catch(() => undefined)
    throw new AttachmentTooLarge(limitBytes)
  }
  const reader = res.body.getReader()
  const out = new Uint8Array(Number.isFinite(declared) ? declared : Math.min(limitBytes, 1 << 20))
  let buffer = out
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (size + value.byteLength > limitBytes) {
      await reader.cancel().catch(() => undefined)
      throw new AttachmentTooLarge(limitBytes)
    }
    if (size + value.byteLength > buffer.byteLength) {
      const grown = new Uint8Array(Math.min(limitBytes, (size + value.byteLength) * 2))
      grown.set(buffer.subarray(0, size))
      buffer = grown
    }
    buffer.set(value, size)
    size += value.byteLength
  }
  return buffer.subarray(0, size)
}
