import { createDiscordBot } from '../bots/discord/discord-bot.js'
import { splitMessage } from '../bots/shared/split-message.js'
import type { ChatCore } from '../src/core/chat-core.js'
import type { ReplyEvent } from '../src/core/types.js'
import { DiscordDouble } from '../tests/doubles/discord-double.js'
import { silentLogger } from '../tests/helpers/logger.js'
import { type BenchResult, percentile } from './types.js'

const STREAMS = 3
const TOKENS = 120
const TOKEN_MS = 25

/** A scripted core: every message gets a reply of TOKENS tokens, one every TOKEN_MS. */
function scriptedCore(doneAt: Map<string, number>): ChatCore {
  const persona = { id: 'luna', name: 'Luna', tier: 'free', nsfw: false } as const
  return {
    commands: [],
    async *reply(message): AsyncIterable<ReplyEvent> {
      yield { type: 'accepted', persona, model: 'bench' }
      yield { type: 'started', model: 'bench' }
      let text = ''
      for (let i = 0; i < TOKENS; i++) {
        await new Promise((resolve) => setTimeout(resolve, TOKEN_MS))
        const token = `${message.platformUserId.slice(-2)}t${i} `
        text += token
        yield { type: 'delta', text: token }
      }
      doneAt.set(text.trim(), Date.now())
      yield {
        type: 'done',
        text: text.trim(),
        persona,
        model: 'bench',
        fallbackUsed: false,
        promptTokens: 1,
        completionTokens: TOKENS,
        messageId: '1',
      }
    },
    runCommand: async () => {},
    parseArgs: () => ({}),
    autocomplete: async () => [],
    stop: async () => false,
  }
}

/** STREAMS replies streaming at once into one channel; `editWindowMs` 1 ≈ no pacing at all. */
async function streamScenario(editWindowMs?: number) {
  const discord = await DiscordDouble.start()
  const doneAt = new Map<string, number>()
  const bot = createDiscordBot(
    { core: scriptedCore(doneAt), log: silentLogger() },
    { token: 'bench.token', apiUrl: discord.apiUrl, messageContent: false, editWindowMs },
  )
  try {
    await bot.start()
    const started = Date.now()
    const authors = Array.from({ length: STREAMS }, (_, i) => ({
      id: `10000000000000009${String(i).padStart(2, '0')}`,
      username: `user${i}`,
    }))
    for (const author of authors) {
      discord.injectMessage({
        channelId: discord.channels.general,
        author,
        content: 'go',
        mentionBot: true,
      })
    }
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
