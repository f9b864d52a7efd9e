import { describe, expect, it } from 'vitest'
import {
  type AttachmentSource,
  AttachmentTooLarge,
  DEFAULT_MEDIA_OPTIONS,
} from '../../../../src/core/attachments/attachment.js'
import { imageFormat } from '../../../../src/core/attachments/image-check.js'
import { prepareAttachments } from '../../../../src/core/attachments/prepare-attachments.js'
import { decodeTextFile, isTextFileName } from '../../../../src/core/attachments/text-file.js'
import { AppError } from '../../../../src/core/errors.js'
import { silentLogger } from '../../../helpers/logger.js'
import { jpegBytes, pngBytes, utf8 } from '../../../helpers/media-bytes.js'

/** A source over bytes in memory that honours the limit like the adapters' downloads. */
function source(name: string, bytes: Uint8Array, fields: Partial<AttachmentSource> = {}) {
  const fetched: number[] = []
  const a: AttachmentSource & { fetched: number[] } = {
    name,
    declaredBytes: bytes.byteLength,
    kind: 'file',
    fetch: async (limit) => {
      fetched.push(limit)
      if (bytes.byteLength > limit) throw new AttachmentTooLarge(limit)
      return bytes
    },
    ...fields,
    fetched,
  }
  return a
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))

async function reason(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AppError)
  return String((err as AppError).params.reason)
}

const prepare = (list: AttachmentSource[], options = {}) =>
  prepareAttachments(
    list,
    { ...DEFAULT_MEDIA_OPTIONS, ...options },
    new AbortController().signal,
    silentLogger(),
  )

describe('image magic bytes', () => {
  it('recognises PNG, JPEG, WebP and GIF by content only', () => {
    const webp = new Uint8Array([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBPVP8 ')])
    expect(imageFormat(pngBytes(16))).toBe('png')
    expect(imageFormat(jpegBytes(16))).toBe('jpeg')
    expect(imageFormat(webp)).toBe('webp')
    expect(imageFormat(new Uint8Array(ascii('GIF89a....')))).toBe('gif')
    expect(imageFormat(utf8('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull()
    expect(imageFormat(new Uint8Array([0x89, 0x50]))).toBeNull()
  })
})

describe('text files', () => {
  it('accepts text and code extensions and refuses binaries and bad UTF-8', () => {
    expect(['a.txt', 'b.MD', 'c.csv', 'd.json', 'e.py', 'f.ts'].every(isTextFileName)).toBe(true)
    expect(['a.pdf', 'b.exe', 'noext', '.txt'].some(isTextFileName)).toBe(false)
    expect(decodeTextFile(utf8('\uFEFFhé\r\nllo'))).toBe('hé\nllo')
    expect(decodeTextFile(new Uint8Array([0x61, 0x00]))).toBeNull()
    expect(decodeTextFile(new Uint8Array([0xc3, 0x28]))).toBeNull()
  })
})

describe('prepareAttachments', () => {
  it('returns the picture bytes and stand-ins, and quotes text files', async () => {
    const image = pngBytes(100)
    const prepared = await prepare([
      source('cat.png', image, { kind: 'photo' }),
      source('n.txt', utf8('one\ntwo\n')),
    ])
    expect(prepared.images).toEqual([image])
    expect(prepared.parts).toEqual(['[picture: cat.png]', '[file: n.txt]\n> one\n> two'])
  })

  it('refuses by the declared size before downloading, and by the bytes during it', async () => {
    const big = source('big.png', pngBytes(3000), { kind: 'photo' })
    expect(await reason(prepare([big], { maxImageBytes: 2048 }))).toBe(
      'big.png is too big: pictures can be at most 2 KB.',
    )
    expect(big.fetched).toEqual([])
    const liar = source('liar.png', pngBytes(3000), { kind: 'photo', declaredBytes: 10 })
    expect(await reason(prepare([liar], { maxImageBytes: 2048 }))).toContain('at most 2 KB')
    expect(liar.fetched).toEqual([2048])
  })

  it('names the limits: count, file length, unsupported kinds and types', async () => {
    const five = Array.from({ length: 5 }, (_, i) => source(`${i}.png`, pngBytes(20)))
    expect(await reason(prepare(five))).toBe('You can send at most 4 pictures in one message.')
    expect(
      await reason(prepare([source('l.md', utf8('x'.repeat(200)))], { maxFileChars: 100 })),
    ).toBe('l.md is too long: text files can be at most 100 characters.')
    expect(await reason(prepare([source('v', pngBytes(), { kind: 'voice' })]))).toContain(
      "can't handle voice messages yet",
    )
    expect(await reason(prepare([source('a.zip', pngBytes())]))).toContain("I can't read a.zip")
    expect(await reason(prepare([source('x.gif', utf8('GIF? no'))]))).toContain(
      'x.gif is not a picture I can open',
    )
  })

  it('gives up a download that takes too long', async () => {
    const slow = source('slow.png', pngBytes(), {
      kind: 'photo',
      fetch: (_limit, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
        ),
    })
    expect(await reason(prepare([slow], { downloadTimeoutMs: 50 }))).toBe(
      'Downloading slow.png took too long. Please try again.',
    )
  })
})
