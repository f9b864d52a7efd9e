import Fastify, { type FastifyInstance } from 'fastify'
import { Api } from 'grammy'
import type { Update } from 'grammy/types'
import { afterEach, describe, expect, it } from 'vitest'
import { inboxEntryOf } from '../../../../bots/telegram/telegram-inbox.js'
import { SqlInbox } from '../../../../src/coordination/sql-inbox.js'
import type { DatabaseHandle } from '../../../../src/storage/create-database.js'
import { type OllamaDouble, startOllamaDouble } from '../../../doubles/ollama-double.js'
import { TelegramApiDouble } from '../../../doubles/telegram-double.js'
import { createTestDatabase, TEST_DIALECTS } from '../../../helpers/database.js'
import { MODEL } from './harness.js'
import { type ReplicaStack, startReplicaStack } from './replica-harness.js'

/**
 * Issue #12: two replicas (each with its own core, membership and grammY bot) on one database
 * act as one Telegram bot. Every reply names the message it answers, so a reply counted twice
 * or in the wrong chat shows.
 */
const SECRET = 'webhook-secret_0123456789'

function lastUserText(messages: readonly { role: string; content: string }[]): string {
  return messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''
}

describe.each(TEST_DIALECTS)('two Telegram replicas on %s', (dialect) => {
  let database: DatabaseHandle | undefined
  let telegram: TelegramApiDouble | undefined
  let ollama: OllamaDouble | undefined
  const stacks: ReplicaStack[] = []
  const apps: FastifyInstance[] = []
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()))
    await Promise.all(stacks.splice(0).map((s) => s.stop(500)))
    await telegram?.close()
    await ollama?.close()
    await database?.destroy()
  })

  async function world(
    options: {
      webhook?: boolean
      before?: (db: DatabaseHandle, t: TelegramApiDouble) => Promise<void>
    } = {},
  ) {
    database = await createTestDatabase(dialect)
    telegram = await TelegramApiDouble.start()
    await options.before?.(database, telegram)
    telegram.floodControl(false)
    ollama = await startOllamaDouble({ models: [MODEL], loaded: [MODEL] })
    ollama.set({ reply: (req) => `Answer to [${lastUserText(req.messages)}].` })
    const extra = options.webhook ? { webhook: true, webhookSecret: SECRET } : {}
    for (let i = 0; i < 2; i++) {
      stacks.push(
        await startReplicaStack(database, { telegram, ollama }, { ...extra, timeoutMs: 3_000 }),
      )
    }
    return { telegram, ollama, db: database }
  }

  /** The final replies in `chatId`, in order. */
  function answers(t: TelegramApiDouble, chatId: number): string[] {
    return t
      .botMessages(chatId)
      .map((m) => m.text)
      .filter((text) => text.startsWith('Answer to'))
  }

  async function allAnswered(t: TelegramApiDouble, sent: Map<number, string[]>) {
    await t.until(
      () =>
        [...sent].every(([chat, texts]) => answers(t, chat).length >= texts.length) || undefined,
      60_000,
    )
  }

  /**
   * Each message answered once, in its own chat; handled (asked of the model) in the order the
   * person sent them. (Where the replies show in the chat follows their placeholders, sent as
   * each turn is accepted, so the display order is not what is checked.)
   */
  function expectExactlyOnceInOrder(t: TelegramApiDouble, sent: Map<number, string[]>) {
    const asked = (ollama?.requestsTo('/api/chat') ?? []).map((r) =>
      lastUserText((r.body as { messages: { role: string; content: string }[] }).messages),
    )
    for (const [chat, texts] of sent) {
      expect([...answers(t, chat)].sort()).toEqual(texts.map((x) => `Answer to [${x}].`).sort())
      expect(asked.filter((x) => x.endsWith(`from ${chat}`))).toEqual(texts)
    }
  }

  it('polls from one replica and answers 40 messages of 10 people exactly once, in order', async () => {
    const { telegram: t, ollama: o } = await world()
    const polling = stacks.filter((s) => s.bot.health().detail === 'polling')
    expect(polling).toHaveLength(1)
    expect(stacks.filter((s) => s.bot.health().detail?.startsWith('standby'))).toHaveLength(1)

    const sent = new Map<number, string[]>()
    for (let round = 0; round < 4; round++) {
      for (let person = 0; person < 10; person++) {
        const chatId = 91_000 + person
        const text = `m${round} from ${chatId}`
        sent.set(chatId, [...(sent.get(chatId) ?? []), text])
        t.injectMessage({ chatId, userId: chatId, text })
      }
    }
    await allAnswered(t, sent)
    expectExactlyOnceInOrder(t, sent)
    expect(o.requestsTo('/api/chat')).toHaveLength(40)
  })

  it('hands polling to the other replica when the poller stops, from the stored offset', async () => {
    const { telegram: t, ollama: o } = await world()
    const sent = new Map<number, string[]>()
    const say = (chatId: number, text: string) => {
      sent.set(chatId, [...(sent.get(chatId) ?? []), text])
      t.injectMessage({ chatId, userId: chatId, text })
    }
    for (let i = 0; i < 5; i++) say(92_000 + i, `before from ${92_000 + i}`)
    await allAnswered(t, sent)
    const poller = stacks.find((s) => s.bot.health().detail === 'polling')
    const other = stacks.find((s) => s !== poller)
    if (!poller || !other) throw new Error('no poller')
    await poller.stop()
    for (let i = 0; i < 5; i++) say(92_000 + i, `after from ${92_000 + i}`)
    await allAnswered(t, sent)
    expectExactlyOnceInOrder(t, sent)
    expect(other.bot.health().detail).toBe('polling')
    expect(o.requestsTo('/api/chat')).toHaveLength(10)
  })

  it('accepts webhook calls on any replica and handles each update once, in order per chat', async () => {
    const { telegram: t, ollama: o } = await world({ webhook: true })
    for (const stack of stacks) {
      const app = Fastify()
      await app.register(stack.bot.webhookRoutes)
      await app.ready()
      apps.push(app)
    }
    const sent = new Map<number, string[]>()
    const posts: Promise<number>[] = []
    for (let round = 0; round < 3; round++) {
      for (let person = 0; person < 6; person++) {
        const chatId = 93_000 + person
        const text = `w${round} from ${chatId}`
        sent.set(chatId, [...(sent.get(chatId) ?? []), text])
        const update = t.messageUpdate({ chatId, userId: chatId, text })
        // Telegram redelivers: the same update reaches both replicas.
        for (const app of apps) {
          posts.push(
            app
              .inject({
                method: 'POST',
                url: '/webhooks/telegram',
                payload: update,
                headers: { 'x-telegram-bot-api-secret-token': SECRET },
              })
              .then((r) => r.statusCode),
          )
        }
      }
    }
    expect(new Set(await Promise.all(posts))).toEqual(new Set([200]))
    await allAnswered(t, sent)
    expectExactlyOnceInOrder(t, sent)
    expect(o.requestsTo('/api/chat')).toHaveLength(18)
  })

  it('takes over an update whose replica died mid-reply: Regenerate on that message, no second answer', async () => {
    const chatId = 94_000
    const { telegram: t, ollama: o } = await world({
      // Before the replicas start: a replica began answering update 900, then died.
      async before(db, double) {
        const partial = await new Api(double.token, { apiRoot: double.apiRoot }).sendMessage(
          chatId,
          'Half an ans',
        )
        const update = double.messageUpdate({ chatId, userId: chatId, text: 'cut from 94000' })
        const box = new SqlInbox(db.db, db.dialect)
        await box.record([inboxEntryOf(update as unknown as Update)])
        const [claimed] = await box.claim('telegram', 'dead-replica', 60_000, 1)
        if (!claimed) throw new Error('not claimed')
        await box.replyStarted(claimed.id, 'dead-replica', `${chatId}/${partial.message_id}`)
        // Its claim ran out (a time-to-live in the past stands for "not renewed in time").
        await box.renew([claimed.id], 'dead-replica', -1)
      },
    })
    const cut = await t.until(() =>
      t.botMessages(chatId).find((m) => JSON.stringify(m.replyMarkup ?? {}).includes('Regenerate')),
    )
    expect(cut.text).toBe('Half an ans')
    // The next message of the chat is answered normally; the cut one was not answered again.
    const next = new Map([[chatId, ['next from 94000']]])
    t.injectMessage({ chatId, userId: chatId, text: 'next from 94000' })
    await allAnswered(t, next)
    expect(answers(t, chatId)).toEqual(['Answer to [next from 94000].'])
    expect(o.requestsTo('/api/chat')).toHaveLength(1)
  })
})
