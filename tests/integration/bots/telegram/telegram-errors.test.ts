import { afterEach, describe, expect, it } from 'vitest'
import { createTelegramBot, type TelegramBot } from '../../../../bots/telegram/telegram-bot.js'
import type { ChatCore } from '../../../../src/core/chat-core.js'
import { TelegramApiDouble } from '../../../doubles/telegram-double.js'
import { startTestReplica, type TestReplica } from '../../../helpers/coordination.js'
import { capturingLogger } from '../../../helpers/logger.js'

const USER = 4004

/** A core that fails where the real one never should, to exercise the adapter's last line of defence. */
const brokenCore: ChatCore = {
  commands: [],
  reply: () => {
    throw new Error('database is on fire')
  },
  runCommand: async () => {},
  parseArgs: () => ({}),
  autocomplete: async () => [],
  stop: async () => false,
}

let telegram: TelegramApiDouble | undefined
let bot: TelegramBot | undefined
let replica: TestReplica | undefined
afterEach(async () => {
  await bot?.stop()
  await replica?.close()
  await telegram?.close()
})

describe('Telegram bot failures', () => {
  it('logs a failing update with its id, tells the person and keeps polling', async () => {
    telegram = await TelegramApiDouble.start()
    const t = telegram
    const { log, lines } = capturingLogger()
    replica = await startTestReplica()
    bot = createTelegramBot(
      { core: brokenCore, log, coordination: replica },
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
    replica = await startTestReplica()
    bot = createTelegramBot(
      { core: brokenCore, log, coordination: replica },
      { token: '1:wrong', apiRoot: telegram.apiRoot, webhook: false, publicUrl: 'http://x' },
    )
    await expect(bot.start()).rejects.toThrow(/Unauthorized/)
    expect(bot.health().status).toBe('down')
  })

  it('logs a refused poll (409) once, reports it in health, and polls on', async () => {
    telegram = await TelegramApiDouble.start()
    const t = telegram
    const { log, lines } = capturingLogger()
    t.failNext('getUpdates', {
      code: 409,
      description:
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    })
    replica = await startTestReplica()
    bot = createTelegramBot(
      { core: brokenCore, log, coordination: replica },
      { token: t.token, apiRoot: t.apiRoot, webhook: false, publicUrl: 'http://x' },
    )
    await bot.start()

    await expect
      .poll(() => lines.find((l) => l.msg.startsWith('telegram long polling refused')), {
        timeout: 10_000,
      })
      .toBeDefined()
    // Still refused: /health says why.
    expect(bot.health()).toMatchObject({ status: 'down', detail: expect.stringMatching(/409/) })
    const failed = lines.find((l) => l.msg === 'telegram getUpdates failed')
    expect(failed?.level).toBe(40)
    expect(failed?.err).toMatchObject({
      errorCode: 409,
      description: expect.stringMatching(/Conflict/),
    })
    const refused = lines.find((l) => l.msg.startsWith('telegram long polling refused'))
    expect(refused?.level).toBe(50)
    expect(refused?.err).toMatchObject({ type: 'GrammyError', errorCode: 409 })
    // The conflict was passing (a replaced poller's last request): polling goes on.
    await expect
      .poll(() => lines.find((l) => l.msg === 'telegram long polling resumed'), { timeout: 10_000 })
      .toBeDefined()
    expect(bot.health()).toMatchObject({ status: 'up', detail: 'polling' })
    expect(JSON.stringify(lines)).not.toContain(t.token)
  })

  it('logs a lost connection to the Bot API without the token in the fetch error', async () => {
    telegram = await TelegramApiDouble.start()
    const t = telegram
    const { log, lines } = capturingLogger()
    replica = await startTestReplica()
    bot = createTelegramBot(
      { core: brokenCore, log, coordination: replica },
      { token: t.token, apiRoot: t.apiRoot, webhook: false, publicUrl: 'http://x' },
    )
    await bot.start()
    await t.until(() => t.callsOf('getUpdates')[0])
    await t.close()

    await expect
      .poll(() => lines.find((l) => l.msg === 'telegram getUpdates failed'), { timeout: 10_000 })
      .toBeDefined()
    const failed = lines.find((l) => l.msg === 'telegram getUpdates failed')
    expect(failed?.level).toBe(40)
    expect(failed?.err).toMatchObject({
      type: 'HttpError',
      reason: expect.stringContaining('getUpdates'),
      cause: expect.stringContaining('/bot[redacted]/getUpdates'),
    })
    expect(JSON.stringify(lines)).not.toContain(t.token)
    expect(bot.health().status).toBe('up')
  })
})
