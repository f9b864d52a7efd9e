import { afterEach, describe, expect, it } from 'vitest'
import { createTelegramBot, type TelegramBot } from '../../../../bots/telegram/telegram-bot.js'
import type { ChatCore } from '../../../../src/core/chat-core.js'
import { TelegramApiDouble } from '../../../doubles/telegram-double.js'
import { capturingLogger } from '../../../helpers/logger.js'

const USER = 4004

/** A core that fails where the real one never should, to exercise the adapter's last line of defence. */
const brokenCore: ChatCore = {
  commands: [],
  shouldRespond: async () => {
    throw new Error('database is on fire')
  },
  reply: () => {
    throw new Error('not reached')
  },
  runCommand: async () => {},
  parseArgs: () => ({}),
  autocomplete: async () => [],
  stop: async () => false,
}

let telegram: TelegramApiDouble | undefined
let bot: TelegramBot | undefined
afterEach(async () => {
  await bot?.stop()
  await telegram?.close()
})

describe('Telegram bot failures', () => {
  it('logs a failing update with its id, tells the person and keeps polling', async () => {
    telegram = await TelegramApiDouble.start()
    const t = telegram
    const { log, lines } = capturingLogger()
    bot = createTelegramBot(
      { core: brokenCore, log },
      {
        token: t.token,
        apiRoot: `${t.apiRoot}/`,
        webhook: false,
        publicUrl: 'http://localhost:3000',
      },
    )
    await bot.start()
    const update = t.injectMessage({ chatId: USER, userId: USER, text: 'hello?' })
    const answer = await t.until(() => t.botMessages(USER)[0])

    expect(answer.text).toMatch(/Something went wrong on our side/)
    const logged = lines.find((l) => l.msg === 'telegram update failed')
    expect(logged?.updateId).toBe(update.update_id)
    expect(JSON.stringify(lines)).not.toContain(t.token)

    t.injectMessage({ chatId: USER, userId: USER, text: 'again?' })
    await t.until(() => t.botMessages(USER)[1])
    expect(bot.health().status).toBe('up')
  })

  it('refuses to start with a wrong token and reports itself down', async () => {
    telegram = await TelegramApiDouble.start()
    const { log } = capturingLogger()
    bot = createTelegramBot(
      { core: brokenCore, log },
      { token: '1:wrong', apiRoot: telegram.apiRoot, webhook: false, publicUrl: 'http://x' },
    )
    await expect(bot.start()).rejects.toThrow(/Unauthorized/)
    expect(bot.health().status).toBe('down')
  })
})
