import { afterEach, describe, expect, it } from 'vitest'
import type { DoubleMessage } from '../../../doubles/telegram-double.js'
import { imagesOf, lastUserContent, modelOf, pngBytes, utf8 } from '../../../helpers/media-bytes.js'
import { MODEL, type Stack, startStack } from './harness.js'

const USER = 2001
const GROUP = -100700

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

/** The bot's newest message in `chatId` once it matches. */
const shown = (s: Stack, chatId: number, match: RegExp) => () =>
  s.telegram
    .botMessages(chatId)
    .filter((m) => match.test(m.text))
    .at(-1)

const chats = (s: Stack) => s.ollama.requestsTo('/api/chat')

describe('Telegram pictures and files (real grammY against the Bot API double)', () => {
  it('downloads a captioned photo with getFile and sends it to the vision model', async () => {
    stack = await startStack()
    const s = stack
    s.ollama.set({ vision: [MODEL], reply: () => 'Nice sunset.' })
    const photo = pngBytes(3000)
    s.telegram.injectMedia({ chatId: USER, userId: USER, caption: 'look at this', photo })
    await s.telegram.until(shown(s, USER, /Nice sunset\./))

    const body = chats(s).at(-1)?.body
    expect(modelOf(body)).toBe(MODEL)
    expect(imagesOf(body)).toEqual([Buffer.from(photo).toString('base64')])
    expect(lastUserContent(body)).toBe('look at this\n\n[picture: photo.jpg]')
    // The largest size was fetched, through getFile and the file path under the API root.
    expect(s.telegram.callsOf('getFile')).toHaveLength(1)
    expect(s.telegram.files.downloads).toEqual([expect.stringMatching(/^photos\/file_\d+\.jpg$/)])
  })

  it('answers a photo in a group only when the caption mentions the bot', async () => {
    stack = await startStack({}, undefined, { media: { visionModel: 'gemma3' } })
    const s = stack
    s.ollama.set({ models: [MODEL, 'gemma3'], vision: ['gemma3'], reply: () => 'Group pic.' })
    const group = { chatId: GROUP, chatType: 'supergroup' as const, userId: USER }
    s.telegram.injectMedia({ ...group, caption: 'just sharing', photo: pngBytes() })
    s.telegram.injectMedia({ ...group, caption: '@JustLayMeBot what is it?', photo: pngBytes() })
    await s.telegram.until(shown(s, GROUP, /Group pic\./))
    expect(chats(s)).toHaveLength(1)
    expect(modelOf(chats(s)[0]?.body)).toBe('gemma3')
    expect(lastUserContent(chats(s)[0]?.body)).toContain('what is it?')
  })

  it('refuses oversize, unsupported and non-text files with clear messages', async () => {
    stack = await startStack({}, undefined, { media: { maxImageBytes: 4096, maxFileChars: 100 } })
    const s = stack
    s.ollama.set({ vision: [MODEL] })
    s.telegram.injectMedia({ chatId: USER, userId: USER, photo: pngBytes(10_000) })
    await s.telegram.until(shown(s, USER, /photo\.jpg is too big: pictures can be at most 4 KB/))

    s.telegram.injectMedia({ chatId: USER, userId: USER, sticker: true })
    await s.telegram.until(shown(s, USER, /can't handle stickers yet/))
    s.telegram.injectMedia({ chatId: USER, userId: USER, voice: true })
    await s.telegram.until(shown(s, USER, /can't handle voice messages yet/))
    s.telegram.injectMedia({ chatId: USER, userId: USER, video: true })
    await s.telegram.until(shown(s, USER, /can't handle videos yet/))

    const long = { fileName: 'long.txt', bytes: utf8('x'.repeat(150)), mimeType: 'text/plain' }
    s.telegram.injectMedia({ chatId: USER, userId: USER, document: long })
    await s.telegram.until(shown(s, USER, /long\.txt is too long: text files can be at most 100/))

    const binary = { fileName: 'data.json', bytes: new Uint8Array([0x7b, 0, 1, 2]) }
    s.telegram.injectMedia({ chatId: USER, userId: USER, document: binary })
    await s.telegram.until(shown(s, USER, /data\.json is not a text file/))

    const fake = { fileName: 'cat.jpg', bytes: utf8('hello'), mimeType: 'image/jpeg' }
    s.telegram.injectMedia({ chatId: USER, userId: USER, document: fake })
    await s.telegram.until(shown(s, USER, /cat\.jpg is not a picture I can open/))
    expect(chats(s)).toHaveLength(0)
  })

  it('quotes a text document, and /export and /forget cover the stand-ins', async () => {
    stack = await startStack()
    const s = stack
    s.ollama.set({ vision: [MODEL], reply: () => 'Got the list.' })
    const doc = { fileName: 'list.csv', bytes: utf8('a,b\n1,2\n'), mimeType: 'text/csv' }
    s.telegram.injectMedia({ chatId: USER, userId: USER, caption: 'see', document: doc })
    await s.telegram.until(shown(s, USER, /Got the list\./))
    expect(lastUserContent(chats(s).at(-1)?.body)).toBe('see\n\n[file: list.csv]\n> a,b\n> 1,2')

    s.ollama.set({ reply: () => 'Cute.' })
    s.telegram.injectMedia({ chatId: USER, userId: USER, photo: pngBytes() })
    await s.telegram.until(shown(s, USER, /^Cute\.$/))

    s.telegram.injectMessage({ chatId: USER, userId: USER, text: '/export' })
    const exported = await s.telegram.until(() =>
      s.telegram.botMessages(USER).find((m: DoubleMessage) => m.document !== undefined),
    )
    expect(exported.document?.content).toContain('[picture: photo.jpg]')
    expect(exported.document?.content).toContain('[file: list.csv]')
    expect(exported.document?.content).not.toContain(Buffer.from(pngBytes()).toString('base64'))

    s.telegram.injectMessage({ chatId: USER, userId: USER, text: '/forget yes' })
    await s.telegram.until(shown(s, USER, /What we cannot delete/))
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: '/export' })
    const after = await s.telegram.until(() => {
      const docs = s.telegram.botMessages(USER).filter((m) => m.document !== undefined)
      return docs.length === 2 ? docs[1] : undefined
    })
    expect(after.document?.content).not.toContain('[picture: photo.jpg]')
    expect(after.document?.content).not.toContain('[file: list.csv]')
  })
})
