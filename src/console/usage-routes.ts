import type { FastifyPluginAsync } from 'fastify'
import { utcDay } from '../core/quota.js'
import type { ActiveRow, RevenueRow, UsageRow } from '../storage/sql-console-reports.js'
import type { ConsoleDeps, ConsoleOptions } from './console-deps.js'
import { sendHtml } from './console-http.js'
import { chartSlot, consolePage, table } from './console-layout.js'
import { createGuard } from './guard.js'

const DAY_MS = 86_400_000
const DAYS = 30

interface Chart {
  readonly id: string
  readonly unit: string
  readonly x: number[]
  readonly series: { label: string; values: number[] }[]
}

/** One series per key, a value per day (0 where nothing happened). */
function byDay<T>(
  days: string[],
  rows: readonly T[],
  key: (r: T) => string,
  day: (r: T) => string,
  value: (r: T) => number,
) {
  const series = new Map<string, number[]>()
  for (const r of rows) {
    const k = key(r)
    const values = series.get(k) ?? days.map(() => 0)
    const i = days.indexOf(day(r))
    if (i >= 0) values[i] = (values[i] ?? 0) + value(r)
    series.set(k, values)
  }
  return [...series].map(([label, values]) => ({ label, values }))
}

/** `/console/usage`: 30 days of messages, people, tokens, premium members and revenue. */
export function usageRoutes(deps: ConsoleDeps, options: ConsoleOptions): FastifyPluginAsync {
  const guard = createGuard(deps, options)
  return async (app) => {
    app.get('/console/usage', async (request, reply) => {
      const session = await guard.read(request, reply)
      if (!session) return reply
      const now = deps.now()
      const days = Array.from({ length: DAYS }, (_, i) => utcDay(now - (DAYS - 1 - i) * DAY_MS))
      const since = days[0] as string
      const [usage, active, premium, revenue] = await Promise.all([
        deps.reports.usage(since),
        deps.reports.activePeople(since),
        deps.reports.premium(since),
        deps.reports.revenue(since),
      ])
      const x = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000)
      const name = (id: string) => deps.personas.get(id)?.name ?? id
      const charts: Chart[] = [
        {
          id: 'chart-messages',
          unit: 'messages',
          x,
          series: byDay(
            days,
            usage,
            (r: UsageRow) => r.platform,
            (r) => r.day,
            (r) => r.messages,
          ),
        },
        {
          id: 'chart-people',
          unit: 'people',
          x,
          series: byDay(
            days,
            active,
            (r: ActiveRow) => r.platform,
            (r) => r.day,
            (r) => r.people,
          ),
        },
        {
          id: 'chart-tokens',
          unit: 'tokens',
          x,
          series: byDay(
            days,
            usage,
            (r: UsageRow) => r.platform,
            (r) => r.day,
            (r) => r.tokens,
          ),
        },
        {
          id: 'chart-personas',
          unit: 'messages',
          x,
          series: byDay(
            days,
            usage,
            (r: UsageRow) => name(r.personaId),
            (r) => r.day,
            (r) => r.messages,
          ),
        },
        {
          id: 'chart-premium',
          unit: 'members',
          x,
          series: [
            {
              label: 'premium members',
              values: days.map((d) => premium.find((p) => p.day === d)?.members ?? 0),
            },
          ],
        },
        {
          id: 'chart-revenue',
          unit: 'amount (Stars or cents)',
          x,
          series: byDay(
            days,
            revenue,
            (r: RevenueRow) => `${r.source} ${r.currency}`,
            (r) => r.day,
            (r) => r.amount,
          ),
        },
      ]
      const perPersona = new Map<string, number>()
      for (const r of usage)
        perPersona.set(r.personaId, (perPersona.get(r.personaId) ?? 0) + r.messages)
      const top = [...perPersona].sort((a, b) => b[1] - a[1]).slice(0, 10)
      const totals =
        byDay(
          days,
          usage,
          () => 'all',
          (r) => r.day,
          (r) => r.messages,
        )[0]?.values ?? []
      const body = `
<div class="grid">
${chartSlot('chart-messages', 'Messages per day, by platform')}
${chartSlot('chart-people', 'Active people per day, by platform')}
${chartSlot('chart-tokens', 'Tokens per day, by platform')}
${chartSlot('chart-personas', 'Messages per day, by persona')}
${chartSlot('chart-premium', 'Premium members')}
${chartSlot('chart-revenue', 'Revenue per day (Stripe in cents, Telegram Stars in Stars)')}
</div>
<h2>The 10 most used personas (30 days)</h2>
${table(
  ['Persona', 'Messages'],
  top.map(([id, n]) => [name(id), n]),
)}
<h2>Revenue (30 days, as recorded by the platform)</h2>
${table(
  ['Day', 'Source', 'Currency', 'Amount', 'Payments'],
  revenue.map((r) => [r.day, r.source, r.currency, r.amount, r.payments]),
)}
<details><summary>Messages per day (table)</summary>
${table(['Day', 'Messages'], days.map((d, i) => [d, totals[i] ?? 0]).reverse())}
</details>`
      return sendHtml(
        reply,
        200,
        consolePage({
          title: 'Usage and money',
          page: 'usage',
          admin: session.admin,
          csrfToken: session.csrfToken,
          body,
          data: { charts },
        }),
      )
    })
  }
}
