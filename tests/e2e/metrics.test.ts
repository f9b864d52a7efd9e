import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { World } from './e2e-world.js'

const USER = 700_200_001
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version
/** prom-client's standard process and runtime metrics keep their usual names. */
const STANDARD = /^(process_|nodejs_)/

let world: World
let text: string
beforeAll(async () => {
  world = await World.start({ ollama: { replyTokens: 7 } })
  await world.telegramSay(USER, 'hello there', (t) => t.some((x) => x.includes('token6')))
  text = await (await fetch(`${world.url}/metrics`)).text()
})
afterAll(async () => {
  await world?.close()
})

function families(): { name: string; type: string }[] {
  return [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => ({
    name: m[1] ?? '',
    type: m[2] ?? '',
  }))
}

function sample(name: string): number {
  return [...text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
    (sum, m) => sum + Number(m[2]),
    0,
  )
}

describe('/metrics', () => {
  it('names every JustLayMe metric with the justlayme_ prefix, and counters with _total', () => {
    const ours = families().filter((f) => !STANDARD.test(f.name))
    expect(ours.length).toBeGreaterThan(10)
    for (const f of ours) {
      expect(f.name).toMatch(/^justlayme_[a-z0-9_]+$/)
      if (f.type === 'counter') expect(f.name).toMatch(/_total$/)
      if (f.type === 'histogram')
        expect(f.name).toMatch(/_(seconds|bytes|tokens|tokens_per_second)$/)
    }
  })

  it('exports justlayme_build_info with the version and Node.js version', () => {
    expect(text).toContain(
      `justlayme_build_info{version="${VERSION}",node_version="${process.version}"} 1`,
    )
  })

  it('counts prompt tokens and generated tokens', () => {
    expect(sample('justlayme_llm_completion_tokens_total')).toBeGreaterThanOrEqual(7)
    expect(sample('justlayme_llm_prompt_tokens_total')).toBeGreaterThan(0)
  })
})
