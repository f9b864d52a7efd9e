import { startOllamaDouble } from '../tests/doubles/ollama-double.js'
import { overloadAuto, slotsRun } from './responsiveness/concurrency.js'
import { discordFirstText, telegramFirstText } from './responsiveness/first-text.js'
import { ask, FIRST_TOKEN_MS, gateway, TOKEN_MS } from './responsiveness/stand-in.js'
import type { BenchResult } from './types.js'

/** (a) Ollama restarts: time from it answering again to the first normal reply. */
async function recovery() {
  const double = await startOllamaDouble({
    loaded: ['llama3.2'],
    firstTokenDelayMs: FIRST_TOKEN_MS,
    tokenIntervalMs: TOKEN_MS,
    replyTokens: 5,
  })
  const g = gateway([double.url], 'auto')
  try {
    await ask(g)
    await double.stop()
    // People keep writing while it is down: the circuit opens, they get the offline message.
    let offline = 0
    for (let i = 0; i < 6; i++) {
      await ask(g).catch(() => (offline += 1))
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    await double.start()
    const back = performance.now()
    // From now on someone writes every 100 ms; the first reply to start counts (its first words
    // reach the person), and when it is complete.
    let complete = Number.NaN
    const first = await new Promise<number>((resolve) => {
      let resolved = false
      const send = () => {
        ask(g)
          .then((r) => {
            if (!resolved) {
              resolve(r.sentAt + r.started - back)
              complete = r.sentAt + r.done - back
            }
            resolved = true
          })
          .catch(() => {})
      }
      send()
      const timer = setInterval(send, 100)
      const stopWhenDone = setInterval(() => {
        if (resolved) {
          clearInterval(timer)
          clearInterval(stopWhenDone)
        }
      }, 50)
    })
    // A message one second after Ollama is back.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - first)))
    const oneSecondLater = await ask(g).then(
      () => 1,
      () => 0,
    )
    return { first, complete, offline, oneSecondLater }
  } finally {
    await g.close()
    await double.close()
  }
}

const r2 = (x: number) => Math.round(x * 100) / 100

export async function run(): Promise<BenchResult[]> {
  const a = await recovery()
  const discord3 = await discordFirstText(3)
  const discord1 = await discordFirstText(1)
  const telegram = await telegramFirstText()
  const c = await slotsRun(4, ['auto', 2, 64], 120)
  const load = await overloadAuto()
  const d = await slotsRun(1, ['auto', 1], 15)
  const auto4 = c.get('auto') ?? { ms: Number.NaN, learned: Number.NaN }
  const two = c.get(2)?.ms ?? Number.NaN
  const unlimited = c.get(64)?.ms ?? Number.NaN
  const auto1 = d.get('auto') ?? { ms: Number.NaN, learned: Number.NaN }
  const one = d.get(1)?.ms ?? Number.NaN
  return [
    {
      name: '(a) Ollama back → first normal reply starts (first token, 300 ms in Ollama)',
      value: Math.round(a.first),
      unit: 'ms',
      target: '<= 1000 ms',
      pass: a.first <= 1000,
    },
    {
      name: '(a) Ollama back → that reply complete (5 tokens at 30/s)',
      value: Math.round(a.complete),
      unit: 'ms',
    },
    {
      name: '(a) message 1 s after Ollama is back answered normally',
      value: a.oneSecondLater,
      unit: 'of 1',
      target: '1',
      pass: a.oneSecondLater === 1,
    },
    { name: '(a) offline answers while Ollama was down', value: a.offline, unit: 'of 6' },
    {
      name: '(b) discord: first token → first visible text (1 reply)',
      value: Math.round(discord1.firstTextMs),
      unit: 'ms',
      target: '<= 200 ms',
      pass: discord1.firstTextMs <= 200,
    },
    {
      name: '(b) telegram: first token → first visible text (private chat)',
      value: Math.round(telegram.firstTextMs),
      unit: 'ms',
      target: '<= 200 ms',
      pass: telegram.firstTextMs <= 200,
    },
    {
      name: '(b) discord: 3 replies in 1 channel, first token → text (worst)',
      value: Math.round(discord3.firstTextMs),
      unit: 'ms',
    },
    {
      name: '(b) discord: 3 replies in 1 channel: 429 answers',
      value: discord3.limited,
      unit: 'count',
      target: '0',
      pass: discord3.limited === 0,
    },
    {
      name: '(b) discord: 3 replies in 1 channel: most writes in any 5 s (at the double)',
      value: discord3.maxWritesPer5s,
      unit: 'writes',
      target: '<= 5',
      pass: discord3.maxWritesPer5s <= 5,
    },
    {
      name: '(c) 10 people, 4-slot host: OLLAMA_CONCURRENCY=auto, all replies',
      value: Math.round(auto4.ms),
      unit: 'ms',
      target: `<= ${Math.round(unlimited * 1.1)} ms (unlimited + 10%)`,
      pass: auto4.ms <= unlimited * 1.1,
    },
    {
      name: '(c) 10 people, 4-slot host: OLLAMA_CONCURRENCY=2',
      value: Math.round(two),
      unit: 'ms',
    },
    {
      name: '(c) 10 people, 4-slot host: unlimited (everything sent to Ollama)',
      value: Math.round(unlimited),
      unit: 'ms',
    },
    {
      name: '(c) auto: learned concurrency on the 4-slot host (after 40 requests)',
      value: auto4.learned,
      unit: 'slots',
      target: '4',
      pass: auto4.learned === 4,
    },
    {
      name: '(c) auto, 3x overload: premium / free p95 wait',
      value: r2(load.premium / load.free),
      unit: 'x',
      target: '<= 0.333',
      pass: load.premium / load.free <= 1 / 3,
    },
    {
      name: '(d) 10 people, 1-slot host: OLLAMA_CONCURRENCY=auto, all replies',
      value: Math.round(auto1.ms),
      unit: 'ms',
      target: `<= ${Math.round(one * 1.1)} ms (pinned 1 + 10%)`,
      pass: auto1.ms <= one * 1.1,
    },
    {
      name: '(d) 10 people, 1-slot host: OLLAMA_CONCURRENCY=1',
      value: Math.round(one),
      unit: 'ms',
    },
    {
      name: '(d) auto: learned concurrency on the 1-slot host',
      value: auto1.learned,
      unit: 'slots',
      target: '1',
      pass: auto1.learned === 1,
    },
  ]
}
