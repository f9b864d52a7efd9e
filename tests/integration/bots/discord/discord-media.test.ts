import { afterEach, describe, expect, it } from 'vitest'
import type { StoredMessage } from '../../../doubles/discord-double.js'
import {
  imagesOf,
  jpegBytes,
  lastUserContent,
  modelOf,
  pngBytes,
  utf8,
} from '../../../helpers/media-bytes.js'
import { type DiscordStack, MODEL, PERSONAS, persona, startDiscordStack } from './discord-stack.js'

let stack: DiscordStack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

/** Our newest message in the general channel once its content matches. */
async function ourMessage(s: DiscordStack, match: RegExp): Promise<StoredMessage> {
  return s.discord.waitFor(() => {
    const ours = s.discord
      .channelMessages(s.discord.channels.general)
      .filter((m) => m.webhookId !== null || m.authorId === s.discord.bot.id)
    return ours.find((m) => match.test(m.content))
  }, 20_000)
}

function send(
  s: DiscordStack,
  content: string,
  attachments: Parameters<DiscordStack['discord']['injectMessage']>[0]['attachments'],
  extra = {},
) {
  return s.discord.injectMessage({
    channelId: s.discord.channels.general,
    author: s.discord.users.alice,
    content,
    mentionBot: true,
    attachments,
    ...extra,
  })
}

const chats = (s: DiscordStack) => s.ollama.requestsTo('/api/chat')

describe('Discord pictures and files (real discord.js against the doubles)', () => {
  it('sends a captioned picture to a vision model as base64 images and keeps a stand-in', async () => {
    stack = await startDiscordStack()
    const s = stack
    s.ollama.set({ vision: [MODEL], reply: () => 'A lovely cat.' })
    const image = pngBytes(4096)
    send(s, 'what is this?', [{ filename: 'cat.png', bytes: image, contentType: 'image/png' }])
    await ourMessage(s, /A lovely cat\./)

    const request = chats(s).at(-1)
    expect(modelOf(request?.body)).toBe(`${MODEL}`)
    expect(imagesOf(request?.body)).toEqual([Buffer.from(image).toString('base64')])
    expect(lastUserContent(request?.body)).toBe('alice: what is this?\n\n[picture: cat.png]')
    const attachmentGets = s.discord.requests.filter((r) => r.path.startsWith('/cdn/attachments/'))
    expect(attachmentGets).toHaveLength(1)

    // Later turns see the stand-in, never the bytes.
    s.ollama.set({ reply: () => 'Yes.' })
    send(s, 'still there?', undefined)
    await ourMessage(s, /^Yes\.$/)
    const later = chats(s).at(-1)?.body as { messages: { content: string; images?: string[] }[] }
    expect(later.messages.some((m) => m.content.includes('[picture: cat.png]'))).toBe(true)
    expect(later.messages.every((m) => m.images === undefined)).toBe(true)
  })

  it('routes a picture turn to OLLAMA_VISION_MODEL when the persona model cannot see', async () => {
    stack = await startDiscordStack({ core: { media: { visionModel: 'gemma3' } } })
    const s = stack
    s.ollama.set({ models: [MODEL, 'gemma3'], vision: ['gemma3'], reply: () => 'Seen.' })
    send(s, 'look', [{ filename: 'dog.jpg', bytes: jpegBytes(), contentType: 'image/jpeg' }])
    await ourMessage(s, /^Seen\.$/)
    const body = chats(s).at(-1)?.body
    expect(modelOf(body)).toBe('gemma3')
    expect(imagesOf(body)).toHaveLength(1)
  })

  it("uses the persona's vision_model before OLLAMA_VISION_MODEL", async () => {
    stack = await startDiscordStack({
      core: { media: { visionModel: 'gemma3' } },
      personas: [persona({ id: 'iris', name: 'Iris', visionModel: 'qwen2.5vl' }), ...PERSONAS],
    })
    const s = stack
    s.ollama.set({ models: [MODEL, 'gemma3', 'qwen2.5vl'], vision: ['gemma3', 'qwen2.5vl'] })
    s.ollama.set({ reply: () => 'Iris sees.' })
    send(s, 'look', [{ filename: 'a.png', bytes: pngBytes(), contentType: 'image/png' }])
    await ourMessage(s, /Iris sees\./)
    expect(modelOf(chats(s).at(-1)?.body)).toBe('qwen2.5vl')
  })

  it('tells the person kindly when nothing can see, and still answers the words', async () => {
    stack = await startDiscordStack()
    const s = stack
    s.ollama.set({ reply: () => 'Words answered.' })
    send(s, 'hello with a photo', [
      { filename: 'p.png', bytes: pngBytes(), contentType: 'image/png' },
    ])
    const reply = await ourMessage(s, /Words answered\./)
    expect(reply.content).toMatch(/can't see pictures/)
    expect(imagesOf(chats(s).at(-1)?.body)).toEqual([])

    const before = chats(s).length
    send(s, '', [{ filename: 'q.png', bytes: pngBytes(), contentType: 'image/png' }])
    const alone = await ourMessage(s, /Tell me in words/)
    expect(alone.content).toMatch(/can't see pictures/)
    expect(chats(s)).toHaveLength(before)
  })

  it('refuses too big, too many, fake and unsupported attachments with the limit named', async () => {
    stack = await startDiscordStack({ core: { media: { maxImageBytes: 8192 } } })
    const s = stack
    s.ollama.set({ vision: [MODEL] })
    send(s, 'big', [{ filename: 'big.png', bytes: pngBytes(20_000), contentType: 'image/png' }])
    expect((await ourMessage(s, /big\.png is too big/)).content).toContain('at most 8 KB')

    // Discord says it is small; the download proves otherwise and is cut off.
    send(s, 'liar', [
      { filename: 'liar.png', bytes: pngBytes(20_000), size: 100, contentType: 'image/png' },
    ])
    expect((await ourMessage(s, /liar\.png is too big/)).content).toContain('at most 8 KB')

    const five = Array.from({ length: 5 }, (_, i) => ({
      filename: `p${i}.png`,
      bytes: pngBytes(),
      contentType: 'image/png',
    }))
    send(s, 'many', five)
    expect((await ourMessage(s, /at most 4 pictures/)).content).toBeTruthy()

    send(s, 'fake', [
      { filename: 'fake.png', bytes: utf8('not really a png'), contentType: 'image/png' },
    ])
    expect((await ourMessage(s, /fake\.png is not a picture I can open/)).content).toBeTruthy()

    send(s, 'clip', [{ filename: 'clip.mp4', bytes: pngBytes(), contentType: 'video/mp4' }])
    expect((await ourMessage(s, /can't handle videos yet/)).content).toBeTruthy()

    send(s, '', undefined, { stickers: [{ name: 'wave' }] })
    expect((await ourMessage(s, /can't handle stickers yet/)).content).toBeTruthy()

    send(s, 'doc', [
      { filename: 'report.pdf', bytes: utf8('%PDF-1.7'), contentType: 'application/pdf' },
    ])
    expect((await ourMessage(s, /I can't read report\.pdf/)).content).toContain(
      '.txt, .md, .csv, .json',
    )
    expect(chats(s)).toHaveLength(0)
  })

  it('quotes a text file into the prompt and counts a picture turn as IMAGE_MESSAGE_COST', async () => {
    stack = await startDiscordStack({ core: { media: { imageMessageCost: 5 } } })
    const s = stack
    s.ollama.set({ vision: [MODEL], reply: () => 'Read it.' })
    send(s, 'summarise', [
      { filename: 'notes.md', bytes: utf8('# Plan\nbuy milk\n'), contentType: 'text/markdown' },
    ])
    await ourMessage(s, /^Read it\.$/)
    expect(lastUserContent(chats(s).at(-1)?.body)).toBe(
      'alice: summarise\n\n[file: notes.md]\n> # Plan\n> buy milk',
    )
    const identity = await s.stores.accounts.findIdentity('discord', s.discord.users.alice.id)
    const day = new Date().toISOString().slice(0, 10)
    expect((await s.stores.usage.get(identity?.accountId ?? '', day)).messages).toBe(1)

    s.ollama.set({ reply: () => 'Pretty.' })
    send(s, 'and this', [{ filename: 'x.png', bytes: pngBytes(), contentType: 'image/png' }])
    await ourMessage(s, /^Pretty\.$/)
    expect((await s.stores.usage.get(identity?.accountId ?? '', day)).messages).toBe(6)
  })

  it('keeps pictures for premium members with IMAGES_FOR=premium and refuses a turn the quota cannot cover', async () => {
    stack = await startDiscordStack({ core: { media: { imagesFor: 'premium' } } })
    const s = stack
    s.ollama.set({ vision: [MODEL] })
    send(s, 'pic', [{ filename: 'p.png', bytes: pngBytes(), contentType: 'image/png' }])
    await ourMessage(s, /Pictures are for premium members here/)
    expect(chats(s)).toHaveLength(0)
    await stack.close()

    stack = await startDiscordStack({ core: { freeDailyMessages: 3 } })
    const t = stack
    t.ollama.set({ vision: [MODEL] })
    send(t, 'pic', [{ filename: 'p.png', bytes: pngBytes(), contentType: 'image/png' }])
    const refusal = await ourMessage(t, /counts as 5 messages/)
    expect(refusal.content).toContain('you have 3 left today')
    expect(t.discord.requests.filter((r) => r.path.startsWith('/cdn/'))).toHaveLength(0)
    expect(chats(t)).toHaveLength(0)
  })
})
