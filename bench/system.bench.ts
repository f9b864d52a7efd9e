import { execFileSync } from 'node:child_process'
import { TELEGRAM_ADMIN_ID, World } from '../tests/e2e/e2e-world.js'
import { samplePeakRss } from './helpers/peak-rss.js'
import { botTexts, makePeople, type Person, prepare, say } from './system/people.js'
import { type BenchResult, percentile } from './types.js'

/**
 * Issue 9 §Load: 200 simulated people (half on Telegram, half in Discord DMs, a fifth of them
 * premium) chat with the spawned platform for a bounded time, answered by the Ollama double at
 * a realistic token rate. Measures errors, unhandled 429s, the platform's peak RSS and how long
 * each tier waits from sending until its generation starts.
 */

const PEOPLE = 200
const PREMIUM_SHARE = 0.2
const LOAD_MS = Number(process.env.BENCH_SYSTEM_SECONDS ?? 150) * 1_000
const REPLY_TIMEOUT_MS = 30_000
const THINK_MS: readonly [number, number] = [12_000, 24_000]
const TOKENS = 20
const TOKEN_INTERVAL_MS = 40
const ERROR_TEXT = /offline|too long|went wrong|queue is full|Slow down|try again/i

interface Turn {
  readonly person: Person
  readonly marker: string
  readonly sentAt: number
  startedAt?: number
  doneAt?: number
  outcome?: 'ok' | 'late' | 'error' | 'timeout'
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function run(): Promise<BenchResult[]> {
  if (process.env.E2E_SKIP_BUILD !== '1') {
    execFileSync(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
      {
        stdio: 'ignore',
      },
    )
  }
  const started = new Map<string, number>()
  const world = await World.start({
    env: {
      FREE_DAILY_MESSAGES: '10000',
      PREMIUM_DAILY_MESSAGES: '10000',
      OLLAMA_CONCURRENCY: '8',
      OLLAMA_MAX_QUEUE: '1000',
      ADMINS: `telegram:${TELEGRAM_ADMIN_ID}`,
    },
    ollama: { tokenIntervalMs: TOKEN_INTERVAL_MS, loaded: ['llama3.2'] },
  })
  try {
    world.ollama.set({
      reply: (request) => {
        const text = request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''
        const marker = /\bq-[\w-]+/.exec(text)?.[0] ?? 'unknown'
        if (!started.has(marker)) started.set(marker, Date.now())
        const filler = Array.from({ length: TOKENS - 3 }, (_, i) => `word${i} `)
        return ['Reply ', 'to ', `${marker}: `, ...filler, 'END']
      },
    })
    const people = makePeople(PEOPLE, PREMIUM_SHARE)
    await prepare(world, people)

    const rss = samplePeakRss(world.platform.child.pid as number)

    const turns: Turn[] = []
    const pending = new Set<{ turn: Turn; before: number; resolve: () => void }>()
    const scanner = setInterval(() => {
      const now = Date.now()
      for (const entry of pending) {
        const { turn, before } = entry
        const fresh = botTexts(world, turn.person).slice(before)
        let outcome: Turn['outcome']
        if (fresh.some((t) => t.includes(turn.marker) && t.endsWith('END'))) outcome = 'ok'
        else if (fresh.some((t) => ERROR_TEXT.test(t))) outcome = 'error'
        else if (now - turn.sentAt > REPLY_TIMEOUT_MS) outcome = 'timeout'
        if (!outcome) continue
        turn.outcome = outcome
        turn.doneAt = now
        turn.startedAt = started.get(turn.marker)
        pending.delete(entry)
        entry.resolve()
      }
    }, 100)

    // Bursts of 429 answers on both platforms while the load runs (on top of flood control).
    const tooMany = {
      code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    }
    world.telegram.failNext('sendMessage', tooMany, 20)
    world.telegram.failNext('editMessageText', tooMany, 20)
    world.discord.force429(/^\/channels\/\d+\/messages/, 30)

    const loadStart = Date.now()
    const deadline = loadStart + LOAD_MS
    const simulate = async (p: Person, index: number) => {
      await sleep((index / PEOPLE) * 8_000)
      for (let n = 0; Date.now() < deadline; n++) {
        const marker = `q-${p.platform[0]}${p.id.slice(-4)}-${n}`
        const before = botTexts(world, p).length
        const turn: Turn = { person: p, marker, sentAt: Date.now() }
        turns.push(turn)
        const done = new Promise<void>((resolve) => pending.add({ turn, before, resolve }))
        say(world, p, `Hello there, ${marker}, tell me something nice.`)
        await done
        await sleep(THINK_MS[0] + Math.random() * (THINK_MS[1] - THINK_MS[0]))
      }
    }
    await Promise.all(people.map((p, i) => simulate(p, i)))
    rss.stop()
    const peakRss = rss.peakMb()
    clearInterval(scanner)

    // A reply slower than REPLY_TIMEOUT_MS (a flooded chat waiting out its 429s) is late, not
    // lost: give stragglers a grace period, then tell the two apart.
    const arrived = (t: Turn) =>
      botTexts(world, t.person).some((x) => x.includes(t.marker) && x.endsWith('END'))
    const graceEnd = Date.now() + 60_000
    while (turns.some((t) => t.outcome === 'timeout' && !arrived(t)) && Date.now() < graceEnd) {
      await sleep(500)
    }
    for (const t of turns) if (t.outcome === 'timeout' && arrived(t)) t.outcome = 'late'
    const ok = turns.filter((t) => t.outcome === 'ok')
    const late = turns.filter((t) => t.outcome === 'late')
    const failed = turns.filter((t) => t.outcome !== 'ok' && t.outcome !== 'late')
    const waits = (tier: boolean) =>
      ok
        .filter((t) => t.person.premium === tier && t.startedAt !== undefined)
        .map((t) => (t.startedAt as number) - t.sentAt)
    // Tokens per second from the model's first token request to the final text on screen,
    // measured per completed reply (includes the platform's pacing and the double's rate).
    const streamRates = ok
      .filter((t) => t.startedAt !== undefined && (t.doneAt as number) > (t.startedAt as number))
      .map((t) => (TOKENS * 1000) / ((t.doneAt as number) - (t.startedAt as number)))
    const premiumWaits = waits(true)
    const freeWaits = waits(false)
    const telegram429 = world.telegram.calls.filter((c) => c.error?.startsWith('Too Many Requests'))
    const discord429 = world.discord.requests.filter((r) => r.status === 429)
    const throttled = (p: Person): boolean =>
      p.platform === 'telegram'
        ? telegram429.some((c) => Number(c.body.chat_id) === Number(p.id))
        : discord429.some((r) => r.path.includes(world.discord.dmChannelFor(p.id)))
    const unhandled429 = failed.filter((t) => throttled(t.person)).length
    const errorLines = world.platform.logs.filter((l) => (l.level ?? 0) >= 50)
    const errorLogs = errorLines.length
    // What went wrong, for the operator reading the table.
    for (const t of [...failed, ...late]) {
      process.stderr.write(
        `system bench: ${t.outcome} ${t.person.platform}:${t.person.id} ${t.marker}${throttled(t.person) ? ' (chat got 429s)' : ''}\n`,
      )
    }
    for (const l of errorLines)
      process.stderr.write(`system bench: error log ${JSON.stringify(l).slice(0, 600)}\n`)
    const alive = world.platform.child.exitCode === null

    return [
      {
        name: `system: ${PEOPLE} people (TG+Discord), ${LOAD_MS / 1000} s of chat: replies completed within ${REPLY_TIMEOUT_MS / 1000} s`,
        value: ok.length,
        unit: 'replies',
        target: `= ${turns.length} sent`,
        pass: ok.length === turns.length,
      },
      {
        name: `system: late replies (arrived after ${REPLY_TIMEOUT_MS / 1000} s, 429s waited out)`,
        value: late.length,
        unit: 'replies',
        target: '0',
        pass: late.length === 0,
      },
      {
        name: 'system: errors (error answers, lost replies, error logs, crash)',
        value: failed.length + errorLogs + (alive ? 0 : 1),
        unit: '',
        target: '0',
        pass: failed.length + errorLogs === 0 && alive,
      },
      {
        name: 'system: 429 answers from the Telegram/Discord doubles',
        value: telegram429.length + discord429.length,
        unit: '',
      },
      {
        name: 'system: unhandled 429s (replies lost where a 429 happened)',
        value: unhandled429,
        unit: '',
        target: '0',
        pass: unhandled429 === 0,
      },
      {
        name: 'system: platform peak RSS',
        value: Math.round(peakRss),
        unit: 'MB',
        target: '< 300 MB',
        pass: peakRss < 300,
      },
      {
        name: 'system: wait until generation starts, premium p50',
        value: percentile(premiumWaits, 50),
        unit: 'ms',
      },
      {
        name: 'system: wait until generation starts, premium p95',
        value: percentile(premiumWaits, 95),
        unit: 'ms',
        target: '<= free p95',
        pass: percentile(premiumWaits, 95) <= percentile(freeWaits, 95),
      },
      {
        name: 'system: wait until generation starts, free p50',
        value: percentile(freeWaits, 50),
        unit: 'ms',
      },
      {
        name: 'system: wait until generation starts, free p95',
        value: percentile(freeWaits, 95),
        unit: 'ms',
      },
      {
        name: `system: streaming rate a person sees, p50 (${TOKENS} tokens from generation start to final text)`,
        value: Math.round(percentile(streamRates, 50) * 10) / 10,
        unit: 'tokens/s',
      },
    ]
  } finally {
    await world.close()
  }
}
