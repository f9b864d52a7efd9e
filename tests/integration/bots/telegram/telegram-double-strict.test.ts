import { Api, GrammyError } from 'grammy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultFloodRule, TelegramApiDouble } from '../../../doubles/telegram-double.js'

/**
 * The Telegram double is as strict as Telegram, driven by grammY's own client: flood control
 * is on by default (private chats and groups have their documented limits) and URL buttons
 * are validated as Telegram validates them.
 */

let telegram: TelegramApiDouble
let api: Api

beforeAll(async () => {
  telegram = await TelegramApiDouble.start()
  api = new Api(telegram.token, { apiRoot: telegram.apiRoot })
})

afterAll(async () => {
  await telegram?.close()
})

async function errorOf(request: Promise<unknown>): Promise<string> {
  try {
    await request
    return 'accepted'
  } catch (error) {
    if (error instanceof GrammyError) return `${error.error_code} ${error.description}`
    throw error
  }
}

async function sendUntilRefused(chatId: number, attempts: number): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const result = await errorOf(api.sendMessage(chatId, `message ${i}`))
    if (result !== 'accepted') {
      expect(result).toMatch(/^429 Too Many Requests: retry after \d+/)
      return i
    }
  }
  return attempts
}

describe('Telegram double strictness', () => {
  it('applies flood control by default in a private chat and in a group', async () => {
    expect(await sendUntilRefused(5_001, 50)).toBe(defaultFloodRule(5_001).max)
    expect(await sendUntilRefused(-5_002, 50)).toBe(defaultFloodRule(-5_002).max)
  })

  it('lets a test turn flood control off on purpose', async () => {
    telegram.setFloodRule(5_003, null)
    expect(await sendUntilRefused(5_003, 30)).toBe(30)
    telegram.floodControl(false)
    expect(await sendUntilRefused(5_004, 30)).toBe(30)
    telegram.floodControl(true)
  })

  it('refuses URL buttons Telegram refuses and accepts real ones', async () => {
    const withButton = (url: string) =>
      api.sendMessage(5_005, 'link', {
        reply_markup: { inline_keyboard: [[{ text: 'Open', url }]] },
      })
    expect(await errorOf(withButton('http://localhost:3000/subscribe/x'))).toBe(
      '400 Bad Request: BUTTON_URL_INVALID',
    )
    expect(await errorOf(withButton('javascript:alert(1)'))).toBe(
      '400 Bad Request: BUTTON_URL_INVALID',
    )
    expect(await errorOf(withButton('not a url'))).toBe('400 Bad Request: BUTTON_URL_INVALID')
    expect(await errorOf(withButton('https://example.com/subscribe/x'))).toBe('accepted')
    expect(await errorOf(withButton('tg://resolve?domain=JustLayMeBot'))).toBe('accepted')
  })
})
