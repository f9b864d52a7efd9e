import { pino } from 'pino'
import { createTelegramBot } from '../bots/telegram/telegram-bot.js'
import { markdownToTelegramHtml } from '../bots/telegram/telegram-html-renderer.js'
import { splitForTelegram } from '../bots/telegram/telegram-split.js'
import { TelegramApiDouble } from '../tests/doubles/telegram-double.js'
import { startTestReplica } from '../tests/helpers/coordination.js'
import { scriptedCore } from './helpers/scripted-core.js'
import { type BenchResult, percentile } from './types.js'

function timeEach(runs: number, fn: () => void): number[] {
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    fn()
    samples.push(performance.now() - start)
  }
  return samples
}

/** Streams one reply per chat in `chats` chats at once; returns edits made and time to last final text. */
async function streamReplies(chats: number, tokens: readonly string[], intervalMs: number) {
  const telegram = await TelegramApiDouble.start()
  const replica = await startTestReplica()
  const bot = createTelegramBot(
    {
      core: scriptedCore({ tokens: () => tokens, tokenMs: intervalMs }),
      log: pino({ level: 'silent' }),
      coordination: replica,
    },
    { token: telegram.token, apiRoot: telegram.apiRoot, webhook: false, publicUrl: 'http://x' },
  )
  try {
    await bot.start()
    const start = performance.now()
    const ids = Array.from({ length: chats }, (_, i) => 5000 + i)
    for (const id of ids) telegram.injectMessage({ chatId: id, userId: id, text: 'go' })
    await telegram.until(
      () =>
        ids.every((id) => telegram.botMessages(id)[0]?.text === tokens.join('').trim()) ||
        undefined,
      60_000,
    )
    const elapsed = performance.now() - start
    return { elapsed, edits: telegram.callsOf('editMessageText').length / chats }
  } finally {
    await bot.stop()
    await replica.close()
    await telegram.close()
  }
}

export async function run(): Promise<BenchResult[]> {
  const paragraph = 'Some **bold** words, a [link](https://example.com) and `code` & <stuff>. '
  const chunk = paragraph.repeat(Math.floor(4000 / paragraph.length))
  // A long roleplay reply: prose with actions and emphasis, dialogue, a code block now and then.
  const scene = [
    '*She smiles and leans closer.* "You came back," she whispers. **I knew you would.** ',
    'The rain taps on the window; somewhere a door closes. '.repeat(6),
    '\n\n```ts\nconst x = compute(a, b)\nconsole.log(x)\n```\n\n',
  ].join('')
  const long = scene.repeat(Math.ceil(33_000 / scene.length)).slice(0, 33_000)
  const render = timeEach(2_000, () => markdownToTelegramHtml(chunk))
  const split = timeEach(200, () => splitForTelegram(long))

  const tokens = Array.from({ length: 150 }, (_, i) => `tok${i} `)
  const streamMs = tokens.length * 20
  const one = await streamReplies(1, tokens, 20)
  const ten = await streamReplies(10, tokens, 20)

  return [
    {
      name: 'telegram: Markdown→HTML of a 4 KB chunk p50',
      value: percentile(render, 50),
      unit: 'ms',
      target: '< 1 ms',
      pass: percentile(render, 50) < 1,
    },
    {
      name: 'telegram: split a 33k-char reply (measured after conversion) p50',
      value: percentile(split, 50),
      unit: 'ms',
      target: '< 5 ms',
      pass: percentile(split, 50) < 5,
    },
    {
      name: 'telegram: edits per 150-token reply (naive: 150)',
      value: one.edits,
      unit: 'edits',
      target: '<= 5 (≈1/s over 3 s)',
      pass: one.edits <= 5,
    },
    {
      name: `telegram: 1 chat, stream ${streamMs} ms → final text`,
      value: Math.round(one.elapsed),
      unit: 'ms',
      target: `< ${streamMs + 1500} ms`,
      pass: one.elapsed < streamMs + 1500,
    },
    {
      name: `telegram: 10 chats at once, stream ${streamMs} ms → all final`,
      value: Math.round(ten.elapsed),
      unit: 'ms',
      target: `< ${streamMs + 2500} ms (no chat waits for another)`,
      pass: ten.elapsed < streamMs + 2500,
    },
  ]
}
