import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { createTelegramStarsApi } from '../bots/telegram/stars-api.js'
import { createTelegramBot } from '../bots/telegram/telegram-bot.js'
import { createStarsBilling } from '../src/billing/create-stars-billing.js'
import { StarsPayloads } from '../src/billing/stars-payload.js'
import type { ChatCore } from '../src/core/chat-core.js'
import type { Stores } from '../src/core/ports/stores.js'
import { createDatabase } from '../src/storage/create-database.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { createSqlStores } from '../src/storage/sql-stores.js'
import { TelegramApiDouble } from '../tests/doubles/telegram-double.js'
import { startTestReplica } from '../tests/helpers/coordination.js'
import { scriptedCore } from './helpers/scripted-core.js'
import { type BenchResult, percentile } from './types.js'

const CHATTERS = 200
/** Replies generated at once, like OLLAMA_CONCURRENCY × hosts; the rest wait their turn. */
const GENERATING = 8
/** Messages each person sends, one after the other's reply. */
const ROUNDS = 2
const PAYERS = 150
const PRICE = 250
const SECRET = 'b'.repeat(48)

/**
 * A core that answers every message like the real one does to the database (usage counted on
 * accept, the reply stored when done) with `tokens` deltas `intervalMs` apart, `GENERATING`
 * replies at a time as the LLM gateway's queue allows.
 */
function loadCore(stores: Stores, tokens: readonly string[], intervalMs: number): ChatCore {
  let running = 0
  const waiting: (() => void)[] = []
  const release = () => {
    running--
    waiting.shift()?.()
  }
  return scriptedCore({
    tokens: () => tokens,
    tokenMs: intervalMs,
    onMessage: async (message) => {
      await stores.usage.add(`acct-${message.platformUserId}`, '2026-12-04', { messages: 1 })
    },
    slot: async () => {
      if (running >= GENERATING) await new Promise<void>((r) => waiting.push(r))
      running++
      return release
    },
    onDone: (message, text) =>
      stores.kv.set(`reply:${message.platformUserId}:${message.messageId}`, text),
  })
}

/**
 * Pre-checkout answers while 200 people chat: the real grammY bot, the real Stars checkout over
 * a SQLite file, the Bot API double. Latency is from queueing the query to the double receiving
 * `answerPreCheckoutQuery`.
 */
export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stars-bench-'))
  const database = createDatabase(join(dir, 'bench.sqlite'))
  const telegram = await TelegramApiDouble.start()
  const log = pino({ level: 'silent' })
  try {
    await migrateToLatest(database.db, log)
    const stores = createSqlStores(database.db)
    const starsApi = createTelegramStarsApi({ token: telegram.token, apiRoot: telegram.apiRoot })
    const stars = createStarsBilling(
      {
        stores,
        api: starsApi,
        log,
        registry: new Registry(),
      },
      { price: PRICE, mode: 'stars', linkSecret: SECRET },
    )
    const payloads = new StarsPayloads({ secret: SECRET })
    const payers: { userId: number; payload: string }[] = []
    for (let i = 0; i < PAYERS; i++) {
      const userId = 700_000 + i
      const { account } = await stores.accounts.resolveIdentity(
        'telegram',
        String(userId),
        `Payer ${i}`,
        Date.now(),
      )
      payers.push({ userId, payload: payloads.issue(account.id, PRICE, Date.now()) })
    }
    const tokens = Array.from({ length: 150 }, (_, i) => `tok${i} `)
    const replica = await startTestReplica(database)
    const bot = createTelegramBot(
      {
        coordination: replica,
        core: loadCore(stores, tokens, 20),
        log,
        stars: stars.checkout,
        answerPreCheckout: starsApi.answerPreCheckoutQuery,
      },
      { token: telegram.token, apiRoot: telegram.apiRoot, webhook: false, publicUrl: 'http://x' },
    )
    await bot.start()
    await starsApi.warm()
    try {
      const chats = Array.from({ length: CHATTERS }, (_, i) => 5000 + i)
      const finals = (id: number) =>
        telegram.botMessages(id).filter((m) => m.requestedParseMode === 'HTML').length
      // Each person writes again once their reply is complete, until ROUNDS replies.
      const chatting = Promise.all(
        chats.map(async (id, i) => {
          // People arrive over the first 4 s (50 a second), not in one instant.
          await new Promise((r) => setTimeout(r, i * 20))
          for (let round = 1; round <= ROUNDS; round++) {
            telegram.injectMessage({ chatId: id, userId: id, text: `message ${round}` })
            await telegram.until(() => finals(id) >= round, 300_000)
          }
        }),
      )
      const ids: string[] = []
      for (const payer of payers) {
        await new Promise((r) => setTimeout(r, 20))
        ids.push(
          telegram.payments.injectPreCheckout({
            userId: payer.userId,
            invoice: {
              slug: 'bench',
              title: 'Premium',
              description: 'bench',
              payload: payer.payload,
              currency: 'XTR',
              amount: PRICE,
              subscriptionPeriod: 2_592_000,
            },
          }),
        )
      }
      await telegram.until(() => ids.every((id) => telegram.payments.answers.has(id)), 60_000)
      const waitingNow = chats.filter((id) => finals(id) < ROUNDS).length
      const answers = ids.map((id) => telegram.payments.answers.get(id))
      const latencies = answers.map((a) => a?.afterMs ?? Number.POSITIVE_INFINITY)
      const approved = answers.filter((a) => a?.ok).length
      await chatting
      const p99 = percentile(latencies, 99)
      return [
        {
          name: `stars: pre-checkout answer p99, ${CHATTERS} people chatting (${waitingNow} waiting for a reply)`,
          value: p99,
          unit: 'ms',
          target: '< 100 ms',
          pass: p99 < 100,
        },
        {
          name: 'stars: pre-checkout answer p50 under the same load',
          value: percentile(latencies, 50),
          unit: 'ms',
        },
        {
          name: `stars: valid checkouts approved (of ${PAYERS})`,
          value: approved,
          unit: '',
          target: `= ${PAYERS}`,
          pass: approved === PAYERS,
        },
      ]
    } finally {
      await bot.stop()
      await replica.close()
    }
  } finally {
    await telegram.close()
    await database.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
}
