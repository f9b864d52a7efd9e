import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import type { BenchModule, BenchResult } from './types.js'

/** Every benchmark module, in the order the table lists them. */
const MODULES = [
  'storage',
  'personas',
  'core',
  'llm',
  'server',
  'email',
  'discord',
  'discord-shards',
  'telegram',
  'stars',
  'media',
  'console',
  'responsiveness',
  'system',
  'process',
  'replicas',
] as const

function formatValue(r: BenchResult): string {
  const v = Math.abs(r.value) >= 100 ? r.value.toFixed(0) : r.value.toPrecision(3)
  return `${v} ${r.unit}`.trim()
}

function table(rows: readonly BenchResult[]): string {
  const head = ['benchmark', 'measured', 'target', 'result']
  const body = rows.map((r) => [
    r.name,
    formatValue(r),
    r.target ?? '—',
    r.pass === undefined ? 'info' : r.pass ? 'pass' : 'MISS',
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
  ].join('\n')
}

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'))
  const rows: BenchResult[] = []
  for (const name of MODULES) {
    if (only.length > 0 && !only.includes(name)) continue
    const file = new URL(`./${name}.bench.ts`, import.meta.url)
    if (!existsSync(file)) continue
    process.stderr.write(`running ${name} benchmarks…\n`)
    try {
      const mod = (await import(file.href)) as BenchModule
      rows.push(...(await mod.run()))
    } catch (err) {
      process.stderr.write(`${name} benchmarks failed: ${(err as Error).stack ?? String(err)}\n`)
      rows.push({
        name: `${name}: benchmark run`,
        value: 0,
        unit: '',
        target: 'completes',
        pass: false,
      })
    }
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`
  const stamp = new Date().toISOString().slice(0, 10)
  const out = `Benchmarks run ${stamp} on ${machine}\n\n${table(rows)}\n`
  process.stdout.write(`\n${out}`)
  const missed = rows.filter((r) => r.pass === false).length
  process.stdout.write(`\n${rows.length} measurements, ${missed} missed their target\n`)
  if (process.argv.includes('--write-readme')) {
    const readme = readFileSync('README.md', 'utf8')
    const start = '<!-- bench:start -->'
    const end = '<!-- bench:end -->'
    const i = readme.indexOf(start)
    const j = readme.indexOf(end)
    if (i >= 0 && j > i) {
      writeFileSync('README.md', `${readme.slice(0, i + start.length)}\n${out}${readme.slice(j)}`)
    }
  }
}

await main()
// Doubles and pools that a module forgot to close must not keep the table from finishing.
process.exit(0)
