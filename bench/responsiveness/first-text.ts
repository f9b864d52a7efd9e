import { createDiscordBot } from '../../bots/discord/discord-bot.js'
import { createTelegramBot } from '../../bots/telegram/telegram-bot.js'
import type { ChatCore } from '../../src/core/chat-core.js'
import { DiscordDouble } from '../../tests/doubles/discord-double.js'
import { TelegramApiDouble } from '../../tests/doubles/telegram-double.js'
import { startTestReplica } from '../../tests/helpers/coordination.js'
import { mentionAtOnce } from '../helpers/discord-mentions.js'
import { scriptedCore } from '../helpers/scripted-core.js'
import { percentile } from '../types.js'
import { FIRST_TOKEN_MS, silent, TOKEN_MS } from './stand-in.js'

/** A scripted core streaming a reply like the Ollama stand-in; records when its first token came. */
function streamingCore(firstTokenAt: Map<string, number>, tokens: number): ChatCore {
  return scriptedCore({
    tokens: (message) =>
      Array.from({ length: tokens }, (_, i) => `u${message.platformUserId.slice(-3)}w${i} `),
    startMs: FIRST_TOKEN_MS,
    firstTokenMs: 0,
    tokenMs: TOKEN_MS,
    onToken: (token, i) => {
      if (i === 0) firstTokenAt.set(token.trim(), Date.now())
    },
  })
}

/** Most writes inside any `ms` window. */
function maxInWindow(times: readonly number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (const [i, t] of sorted.entries()) {
    let n = 0
    for (let j = i; j < sorted.length && (sorted[j] ?? 0) < t + ms; j++) n += 1
    most = Math.max(most, n)
  }
  return most
}

/** (b) Discord: first text after the first token, writes per 5 s and 429s, `streams` replies in one channel. */
export async function discordFirstText(streams: number) {
  const discord = await DiscordDouble.start()
  const firstTokenAt = new Map<string, number>()
  const bot = createDiscordBot(
    { core: streamingCore(firstTokenAt, 150), log: silent },
    { token: 'bench.token', apiUrl: discord.apiUrl, messageContent: false },
  )
  try {
    await bot.start()
    const authors = mentionAtOnce(discord, streams, 1_000_000_000_000_000_100n)
    const tags = authors.map((a) => `u${a.id.slice(-3)}w149`)
    await discord.waitFor(
      () =>
        tags.every((tag) =>
          discord
            .channelMessages(discord.channels.general)
            .some((m) => m.content.endsWith(tag) && m.components.length > 0),
        ) || null,
      120_000,
    )
    // Message writes in the channel: webhook executes and edits, or bot messages and edits.
    const writes = discord.requests.filter(
      (r) =>
        (r.method === 'POST' && /^\/webhooks\/[^/]+\/[^/]+$/.test(r.path)) ||
        (r.method === 'PATCH' && /^\/webhooks\/[^/]+\/[^/]+\/messages\//.test(r.path)) ||
        ((r.method === 'POST' || r.method === 'PATCH') &&
          /^\/channels\/[^/]+\/messages(\/[^/]+)?$/.test(r.path)),
    )
    const lags = [...firstTokenAt].map(([token, at]) => {
      const shown = writes.find(
        (r) =>
          r.status < 300 && String((r.body as { content?: string })?.content ?? '').includes(token),
      )
      return (shown?.at ?? Number.NaN) - at
    })
    return {
      firstTextMs: percentile(lags, 100),
      limited: discord.requests.filter((r) => r.status === 429).length,
      maxWritesPer5s: maxInWindow(
        writes.filter((r) => r.status < 300).map((r) => r.at),
        5_000,
      ),
    }
  } finally {
    await bot.stop()
    await discord.close()
  }
}

/** (b) Telegram: first text after the first token in a private chat. */
export async function telegramFirstText() {
  const telegram = await TelegramApiDouble.start()
  const firstTokenAt = new Map<string, number>()
  const replica = await startTestReplica()
  const bot = createTelegramBot(
    { core: streamingCore(firstTokenAt, 30), log: silent, coordination: replica },
    { token: telegram.token, apiRoot: telegram.apiRoot, webhook: false, publicUrl: 'http://x' },
  )
  try {
    await bot.start()
    telegram.injectMessage({ chatId: 7001, userId: 7001, text: 'go' })
    // Every write is formatted HTML now (streaming edits too): wait for the first token itself.
    const firstShown = () => {
      const [token] = [...firstTokenAt][0] ?? []
      if (token === undefined) return undefined
      return [...telegram.callsOf('sendMessage'), ...telegram.callsOf('editMessageText')]
        .filter((c) => c.error === undefined && JSON.stringify(c.body).includes(token))
        .sort((x, y) => x.at - y.at)[0]
    }
    const shown = await telegram.until(firstShown, 60_000)
    const [, at] = [...firstTokenAt][0] ?? ['', Number.NaN]
    return { firstTextMs: (shown?.at ?? Number.NaN) - at }
  } finally {
    await bot.stop()
    await telegram.close()
  }
}
