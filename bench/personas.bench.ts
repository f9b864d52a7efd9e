import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import type { LoreEntry, Persona } from '../src/core/persona.js'
import { activeLore, personaSystemMessage } from '../src/core/persona-prompt.js'
import { cardToPng } from '../src/personas/card-export.js'
import { FilePersonaRepository } from '../src/personas/file-persona-repository.js'
import { parsePersonaFile } from '../src/personas/parse-persona-file.js'
import {
  adversarialInput,
  hostileRegexCard,
  pngBomb,
} from '../tests/fixtures/cards/sample-cards.js'
import { type BenchResult, percentile } from './types.js'

const SHIPPED = join(import.meta.dirname, '..', 'personas')
const SAMPLES = 5_000
const FILES = 100
const estimateTokens = (text: string): number => Math.ceil(text.length / 4)

/**
 * Persona work on the reply path and at start: lore activation plus the system message per turn
 * (part of the core's < 2 ms context-building target), parsing a PNG card, and reloading a
 * directory of 100 cards.
 */
export async function run(): Promise<BenchResult[]> {
  const repo = new FilePersonaRepository({ log: pino({ level: 'silent' }) }, { dir: SHIPPED })
  await repo.reload()
  const shipped = repo.list()[0]
  if (!shipped) throw new Error(`no personas in ${SHIPPED}`)
  const big = bigLorebook(shipped, 200)
  const history = Array.from({ length: 20 }, (_, i) => `message ${i}: the storm near Kettle Rock`)

  const perTurn = (persona: Persona): number[] =>
    sample(SAMPLES, () => {
      const lore = activeLore(persona, history, { estimateTokens, user: 'Sam' })
      personaSystemMessage(persona, 'Sam', lore)
    })
  const small = perTurn(shipped)
  const large = perTurn(big)

  // Hostile cards (#19): catastrophic-backtracking lore regexes against the longest message a
  // chat allows (Telegram: 4,096 characters), and a decompression bomb card.
  const trap = parsePersonaFile('trap.json', Buffer.from(JSON.stringify(hostileRegexCard())))
  if (!trap.ok) throw new Error(`hostile card did not load: ${trap.message}`)
  const hostileTurn = [adversarialInput(30), adversarialInput(4_095)]
  const hostile = sample(200, () => {
    activeLore(trap.persona, hostileTurn, { estimateTokens, user: 'Sam' })
  })
  const bomb = pngBomb(1024)
  const rssBefore = process.resourceUsage().maxRSS * 1024
  parsePersonaFile('bomb.png', bomb)
  const bombRss = process.resourceUsage().maxRSS * 1024 - rssBefore
  const bombTimes = sample(5, () => parsePersonaFile('bomb.png', bomb))

  const card = repo.exportCard(shipped.id) as Parameters<typeof cardToPng>[0]
  const png = cardToPng(card)
  const parse = sample(1_000, () => parsePersonaFile('card.png', png))

  const dir = await mkdtemp(join(tmpdir(), 'jlm-bench-personas-'))
  try {
    for (let i = 0; i < FILES; i++) await writeFile(join(dir, `card-${i}.png`), png)
    const many = new FilePersonaRepository({ log: pino({ level: 'silent' }) }, { dir })
    const reloads: number[] = []
    for (let i = 0; i < 5; i++) {
      const started = performance.now()
      await many.reload()
      reloads.push(performance.now() - started)
    }
    await many.close()
    return [
      row(
        `personas: lore + system message per turn (${shipped.lore.length} entries) p50`,
        percentile(small, 50),
        '< 0.2 ms',
        0.2,
      ),
      row(
        `personas: lore + system message per turn (${shipped.lore.length} entries) p99`,
        percentile(small, 99),
      ),
      row(
        'personas: lore + system message per turn (200 entries) p50',
        percentile(large, 50),
        '< 0.5 ms',
        0.5,
      ),
      row('personas: lore + system message per turn (200 entries) p99', percentile(large, 99)),
      row(
        'personas: hostile lore regexes, 4,096-char adversarial turn, max',
        Math.max(...hostile),
        '< 50 ms',
        50,
      ),
      row(
        `personas: refuse a ${Math.round(bomb.length / 1024)} KB PNG bomb (1 GiB inflated) p50`,
        percentile(bombTimes, 50),
      ),
      {
        name: 'personas: PNG bomb refused, extra peak memory',
        value: Math.round((bombRss / 1024 / 1024) * 10) / 10,
        unit: 'MB',
        target: '< 64 MB',
        pass: bombRss < 64 * 1024 * 1024,
      },
      row('personas: parse a PNG card p50', percentile(parse, 50)),
      row(`personas: reload ${FILES} PNG cards p50`, percentile(reloads, 50)),
    ]
  } finally {
    await repo.close()
    await rm(dir, { recursive: true, force: true })
  }
}

function sample(n: number, fn: () => void): number[] {
  for (let i = 0; i < Math.min(200, n); i++) fn()
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const started = performance.now()
    fn()
    times.push(performance.now() - started)
  }
  return times
}

function bigLorebook(base: Persona, n: number): Persona {
  const lore: LoreEntry[] = Array.from({ length: n }, (_, i) => ({
    keys: [`keyword${i}`, `other${i}`, i % 10 === 0 ? 'storm' : `third${i}`],
    secondaryKeys: i % 7 === 0 ? ['kettle'] : [],
    selective: i % 7 === 0,
    content: `Entry ${i} about {{char}} and {{user}}: ${'lore text '.repeat(20)}`,
    constant: i % 50 === 0,
    enabled: true,
    insertionOrder: i,
    caseSensitive: i % 3 === 0,
    priority: i % 5,
    useRegex: i % 25 === 0,
  }))
  return { ...base, lore, loreTokenBudget: 800 }
}

function row(name: string, value: number, target?: string, limit?: number): BenchResult {
  return {
    name,
    value: Math.round(value * 1000) / 1000,
    unit: 'ms',
    target,
    pass: limit === undefined ? undefined : value < limit,
  }
}
