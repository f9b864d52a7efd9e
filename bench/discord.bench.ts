import { createDiscordBot } from '../bots/discord/discord-bot.js'
import { splitMessage } from '../bots/shared/split-message.js'
import type { ChatCore } from '../src/core/chat-core.js'
import { DiscordDouble } from '../tests/doubles/discord-double.js'
import { silentLogger } from '../tests/helpers/logger.js'
import { mentionAtOnce } from './helpers/discord-mentions.js'
import { scriptedCore } from './helpers/scripted-core.js'
import { type BenchResult, percentile } from './types.js'

const STREAMS = 3
const TOKENS = 120
const TOKEN_MS = 25

/** Every message gets a reply of TOKENS tokens, one every TOKEN_MS; records when each ended. */
function replyPerAuthor(doneAt: Map<string, number>): ChatCore {
  return scriptedCore({
    tokens: (message) =>
      Array.from({ length: TOKENS }, (_, i) => `${message.platformUserId.slice(-2)}t${i} `),
    tokenMs: TOKEN_MS,
    onDone: (_message, text) => {
      doneAt.set(text, Date.now())
    },
  })
}

/** STREAMS replies streaming at once into one channel; `editWindowMs` 1 ≈ no pacing at all. */
async function streamScenario(editWindowMs?: number) {
  const discord = await DiscordDouble.start()
  const doneAt = new Map<string, number>()
  const bot = createDiscordBot(
    { core: replyPerAuthor(doneAt), log: silentLogger() },
    { token: 'bench.token', apiUrl: discord.apiUrl, messageContent: false, editWindowMs },
  )
  try {
    await bot.start()
    const started = Date.now()
    mentionAtOnce(discord, STREAMS, 1_000_000_000_000_000_900n)
    const finals = await discord.waitFor(() => {
      const done = discord
        .channelMessages(discord.channels.general)
        .filter((m) => m.webhookId !== null && doneAt.has(m.content))
      return done.length === STREAMS && done.every((m) => m.components.length > 0) ? done : null
    }, 60_000)
    const landed = Date.now()
    const lags = finals.map((m) => landed - (doneAt.get(m.content) ?? landed))
    const edits = discord.requestsMatching('PATCH', /^\/webhooks\/.+\/messages\//)
    return {
      edits: edits.filter((r) => r.status === 200).length,
      limited: discord.requests.filter((r) => r.status === 429).length,
      finalLagMs: percentile(lags, 100),
      totalMs: landed - started,
    }
  } finally {
    await bot.stop()
    await discord.close()
  }
}

export async function run(): Promise<BenchResult[]> {
  const paragraph = `${'Some prose with a sentence. '.repeat(12)}\n\n`
  const code = `\`\`\`ts\n${'const x = compute(a, b)\n'.repeat(40)}\`\`\`\n\n`
  const text = (paragraph + code).repeat(25)
  const rounds = 200
  const t0 = performance.now()
  for (let i = 0; i < rounds; i++) splitMessage(text, 2000)
  const splitMs = (performance.now() - t0) / rounds

  const scheduled = await streamScenario()
  const unthrottled = await streamScenario(1)
  return [
    {
      name: `discord: split ${Math.round(text.length / 1000)}k chars of Markdown`,
      value: Number(splitMs.toFixed(3)),
      unit: 'ms',
      target: '< 5 ms',
      pass: splitMs < 5,
    },
    {
      name: `discord: ${STREAMS} streams/1 channel, 5-per-5 s budget: 429 answers`,
      value: scheduled.limited,
      unit: 'count',
      target: '0',
      pass: scheduled.limited === 0,
    },
    {
      name: `discord: ${STREAMS} streams/1 channel, unthrottled edits: 429 answers`,
      value: unthrottled.limited,
      unit: 'count',
    },
    {
      name: 'discord: 5-per-5 s budget: edits sent',
      value: scheduled.edits,
      unit: 'count',
    },
    {
      name: 'discord: unthrottled: edits sent',
      value: unthrottled.edits,
      unit: 'count',
    },
    {
      name: 'discord: 5-per-5 s budget: done → final edit landed (worst stream)',
      value: scheduled.finalLagMs,
      unit: 'ms',
      target: '< 5300 ms (one budget window)',
      pass: scheduled.finalLagMs < 5_300,
    },
    {
      name: 'discord: unthrottled: done → final edit landed (worst stream)',
      value: unthrottled.finalLagMs,
      unit: 'ms',
    },
  ]
}
