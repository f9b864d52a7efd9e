import type { FastifyPluginAsync } from 'fastify'
import { utcDay } from '../core/quota.js'
import type { ConsoleDeps, ConsoleOptions } from './console-deps.js'
import { sendHtml } from './console-http.js'
import { chartSlot, consolePage, h, table } from './console-layout.js'
import { createGuard } from './guard.js'
import type { LiveSample } from './live-sampler.js'

const fmt = (v: number | null, unit: string) => (v === null ? '–' : `${v.toFixed(2)} ${unit}`)

function latestTable(last: LiveSample | undefined): string {
  if (!last) return '<p class="muted" id="live-latest">No samples yet.</p>'
  return `<table id="live-latest"><tbody>
<tr><th scope="row">Waiting for the GPU (queue depth)</th><td class="num" data-live="queueDepth">${h(last.queueDepth)}</td></tr>
<tr><th scope="row">Queue wait, premium</th><td class="num" data-live="waitPremium">${h(fmt(last.waitPremium, 's'))}</td></tr>
<tr><th scope="row">Queue wait, free</th><td class="num" data-live="waitFree">${h(fmt(last.waitFree, 's'))}</td></tr>
<tr><th scope="row">Time to first token</th><td class="num" data-live="firstToken">${h(fmt(last.firstToken, 's'))}</td></tr>
</tbody></table>`
}

/** `/console`: health of every part and host, today's totals and the live queue charts. */
export function overviewRoutes(deps: ConsoleDeps, options: ConsoleOptions): FastifyPluginAsync {
  const guard = createGuard(deps, options)
  return async (app) => {
    app.get('/console', async (request, reply) => {
      const session = await guard.read(request, reply)
      if (!session) return reply
      const now = deps.now()
      const [components, hosts, today, queues, replicas] = await Promise.all([
        deps.health(),
        deps.llmHealth().catch(() => []),
        deps.reports.today(utcDay(now)),
        deps.sampler.hostQueues(),
        deps.replicas().catch(() => []),
      ])
      const samples = deps.sampler.samples()
      const body = `
<section aria-labelledby="today-h"><h2 id="today-h">Today (UTC)</h2>
<div class="grid">
<div class="card"><div class="stat">${h(today.messages.toLocaleString('en-US'))}</div>messages</div>
<div class="card"><div class="stat">${h(today.tokens.toLocaleString('en-US'))}</div>tokens</div>
<div class="card"><div class="stat">${h(today.people.toLocaleString('en-US'))}</div>active people</div>
</div></section>
<section aria-labelledby="live-h"><h2 id="live-h">Live, last hour (updated every 2 s)</h2>
${latestTable(samples.at(-1))}
<div class="grid">
${chartSlot('chart-queue', 'Queue depth (requests waiting)')}
${chartSlot('chart-wait', 'Queue wait, premium and free (seconds)')}
${chartSlot('chart-ttft', 'Time to first token (seconds)')}
</div></section>
<section aria-labelledby="health-h"><h2 id="health-h">Components</h2>
${table(
  ['Component', 'State', 'Detail'],
  components.map((c) => [c.name, c.status, c.detail ?? '']),
)}
</section>
<section aria-labelledby="replicas-h"><h2 id="replicas-h">Processes (replicas)</h2>
${table(
  ['Process', 'Host', 'pid', 'Version', 'Up (min)', 'State', 'Owns'],
  replicas.map((r) => [
    r.id.slice(0, 8),
    r.host,
    String(r.pid),
    r.version,
    Math.round((now - r.startedAt) / 60_000),
    r.draining ? 'draining' : 'live',
    r.owns.join(', ') || '–',
  ]),
)}
</section>
<section aria-labelledby="hosts-h"><h2 id="hosts-h">Ollama hosts</h2>
${table(
  ['Host', 'State', 'Concurrency (learned or fixed)', 'Waiting', 'Detail'],
  hosts.map((x) => [
    x.host,
    x.status === 'down' && x.detail?.startsWith('circuit open') ? 'down (breaker open)' : x.status,
    x.concurrency ? `${x.concurrency.limit} (${x.concurrency.mode})` : '–',
    queues[x.host] ?? 0,
    x.detail ?? '',
  ]),
)}
</section>`
      return sendHtml(
        reply,
        200,
        consolePage({
          title: 'Overview',
          page: 'overview',
          admin: session.admin,
          csrfToken: session.csrfToken,
          body,
          data: { live: '/console/live.json', samples },
        }),
      )
    })

    app.get('/console/live.json', async (request, reply) => {
      const session = await guard.read(request, reply)
      if (!session) return reply
      return reply.header('cache-control', 'no-store').send({ samples: deps.sampler.samples() })
    })
  }
}
