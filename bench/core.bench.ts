import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { commands } from '../commands/index.js'
import { createChatCore } from '../src/core/create-chat-core.js'
import { HISTORY_WINDOW, loadContext, WindowHints } from '../src/core/load-context.js'
import { TokenEstimator } from '../src/core/token-estimator.js'
import type { InboundMessage } from '../src/core/types.js'
import { createDatabase } from '../src/storage/create-database.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { createSqlStores } from '../src/storage/sql-stores.js'
import { free, InstantLlm, persona, personas } from './core/fixtures.js'
import { loadSqliteMessages } from './helpers/load-sqlite-messages.js'
import { type BenchResult, percentile } from './types.js'

const USERS = 200
const WARMUP = 300
const SAMPLES = 2_000
const THROUGHPUT_MESSAGES = 2_000
const BIG_MESSAGES = 1_000_000
const BIG_CONVERSATIONS = 1_000
const CONTEXT_SAMPLES = 2_000
const FILLER = 'lorem ipsum dolor sit amet '.repeat(4)

/**
 * Core overhead per message (p50/p99) and throughput with an instant in-process LLM on SQLite,
 * and context-building time for one conversation in a database of 1,000,000 messages.
 */
export async function run(): Promise<BenchResult[]> {
  return [
    ...(await benchReplies('SQLite file, WAL')),
    ...(await benchReplies('SQLite :memory:')),
    ...(await benchContext()),
  ]
}

function tempFile(): string {
  return join(tmpdir(), `justlayme-core-bench-${randomBytes(4).toString('hex')}.sqlite`)
}

function removeDb(file: string): void {
  if (file === ':memory:') return
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true })
}

async function benchReplies(label: string): Promise<BenchResult[]> {
  const file = label.includes('memory') ? ':memory:' : tempFile()
  const handle = createDatabase(file)
  const log = pino({ level: 'silent' })
  try {
    await migrateToLatest(handle.db, log)
    const stores = createSqlStores(handle.db)
    const core = createChatCore(
      {
        stores,
        llm: new InstantLlm(),
        personas,
        entitlements: { entitlement: async () => free },
        grants: { grant: async (_a, _d, now) => ({ until: now }) },
        commands,
        log,
      },
      {
        defaultModel: 'bench-model',
        freeDailyMessages: 1_000_000,
        premiumDailyMessages: 1_000_000,
        maxInputChars: 4000,
        freeContextTokens: 4096,
        premiumContextTokens: 16384,
        admins: [],
      },
    )
    const message = (i: number): InboundMessage => ({
      platform: 'telegram',
      platformUserId: `user-${i % USERS}`,
      displayName: `User ${i % USERS}`,
      chatId: `user-${i % USERS}`,
      chatKind: 'direct',
      text: `Message number ${i}: how is the tea today?`,
      addressed: true,
      adultAllowed: false,
    })
    const once = async (i: number) => {
      for await (const event of core.reply(message(i))) {
        if (event.type === 'error') throw new Error(`bench reply failed: ${event.error.code}`)
      }
    }
    for (let i = 0; i < WARMUP; i++) await once(i)
    const samples: number[] = []
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now()
      await once(i)
      samples.push(performance.now() - t)
    }
    // Throughput: many accounts at once, as adapters deliver them concurrently.
    const started = performance.now()
    const inFlight = 8
    let next = 0
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < THROUGHPUT_MESSAGES) await once(next++)
      }),
    )
    const perSecond = THROUGHPUT_MESSAGES / ((performance.now() - started) / 1000)
    await core.close(0)
    const p50 = percentile(samples, 50)
    const p99 = percentile(samples, 99)
    return [
      {
        name: `core: overhead per message p50 (instant LLM, ${label})`,
        value: round(p50),
        unit: 'ms',
      },
      {
        name: `core: overhead per message p99 (instant LLM, ${label})`,
        value: round(p99),
        unit: 'ms',
        target: '< 5 ms',
        pass: p99 < 5,
      },
      {
        name: `core: throughput (instant LLM, ${label}, 8 in flight)`,
        value: Math.round(perSecond),
        unit: 'msg/s',
        target: '>= 1500 msg/s',
        pass: perSecond >= 1500,
      },
    ]
  } finally {
    await handle.destroy()
    removeDb(file)
  }
}

async function benchContext(): Promise<BenchResult[]> {
  const file = tempFile()
  const handle = createDatabase(file)
  try {
    await migrateToLatest(handle.db, pino({ level: 'silent' }))
    // 1,000,000 messages over 1,000 conversations.
    loadSqliteMessages(file, {
      conversations: BIG_CONVERSATIONS,
      messages: BIG_MESSAGES,
      idPrefix: 'big-',
      personaId: 'bench',
      content: (i) => `${i} ${FILLER}`,
    })
    const stores = createSqlStores(handle.db)
    const estimator = new TokenEstimator()
    const estimate = estimator.forModel('bench-model')
    const conversations = await stores.conversations.listByScope('account:big-0')
    const template = conversations[0]
    if (!template) throw new Error('bench data missing')
    const build = (conversationId: string, hints: WindowHints) =>
      loadContext(stores.conversations, hints, {
        conversation: { ...template, id: conversationId, summary: 'Ann likes tea.' },
        persona,
        userName: 'Ann',
        group: false,
        budgetTokens: 4096 - 512,
        estimate,
      })
    const cold: number[] = []
    for (let i = 0; i < 300; i++) {
      const t = performance.now()
      await build(`big-${i % BIG_CONVERSATIONS}`, new WindowHints())
      cold.push(performance.now() - t)
    }
    const hints = new WindowHints()
    for (let i = 0; i < BIG_CONVERSATIONS; i++) await build(`big-${i}`, hints)
    const samples: number[] = []
    for (let i = 0; i < CONTEXT_SAMPLES; i++) {
      const t = performance.now()
      await build(`big-${(i * 7) % BIG_CONVERSATIONS}`, hints)
      samples.push(performance.now() - t)
    }
    const p50 = percentile(samples, 50)
    const p99 = percentile(samples, 99)
    return [
      {
        name: 'core: context building p50 (1M messages; fetch window + fit)',
        value: round(p50),
        unit: 'ms',
        target: '< 2 ms',
        pass: p50 < 2,
      },
      { name: 'core: context building p99 (1M messages)', value: round(p99), unit: 'ms' },
      {
        name: `core: context building p50, first turn after start (fetch ${HISTORY_WINDOW})`,
        value: round(percentile(cold, 50)),
        unit: 'ms',
      },
    ]
  } finally {
    await handle.destroy()
    removeDb(file)
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000
