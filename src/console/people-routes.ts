import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { utcDay } from '../core/quota.js'
import type { ConsoleDeps, ConsoleOptions } from './console-deps.js'
import { sendHtml } from './console-http.js'
import { consolePage, isoTime, table } from './console-layout.js'
import { createGuard } from './guard.js'
import { auditTable, personBody, resultsTable, searchForm } from './people-page.js'

const DAY_MS = 86_400_000

type PersonParams = { Params: { id: string } }
type ActionBody = { Body: { _csrf?: string; action?: string; days?: string } }

/** `/console/people`: search, one person's page, premium days and blocking, the audit log. */
export function peopleRoutes(deps: ConsoleDeps, options: ConsoleOptions): FastifyPluginAsync {
  const guard = createGuard(deps, options)
  const { stores } = deps

  const subscriptionText = async (accountId: string, now: number): Promise<string> => {
    const [stripe, stars] = await Promise.all([
      stores.subscriptions.get(accountId),
      stores.stars.getSubscription(accountId),
    ])
    const parts: string[] = []
    if (stripe?.status) {
      parts.push(
        `Stripe ${stripe.status}${stripe.currentPeriodEnd ? ` to ${isoTime(stripe.currentPeriodEnd)}` : ''}${stripe.cancelAtPeriodEnd ? ', ends then' : ''}`,
      )
    }
    if (stripe?.compUntil && stripe.compUntil > now)
      parts.push(`granted to ${isoTime(stripe.compUntil)}`)
    if (stars && stars.expiresAt > now) parts.push(`Telegram Stars to ${isoTime(stars.expiresAt)}`)
    return parts.join('; ') || 'none'
  }

  const back = (reply: FastifyReply, id: string, done: string) =>
    reply.redirect(
      `/console/people/${encodeURIComponent(id)}?done=${encodeURIComponent(done)}`,
      303,
    )

  return async (app) => {
    app.get<{ Querystring: { q?: string } }>('/console/people', async (request, reply) => {
      const session = await guard.read(request, reply)
      if (!session) return reply
      const q = String(request.query.q ?? '').slice(0, 200)
      const found = q ? await deps.reports.searchPeople(q) : []
      const people = await Promise.all(
        found.map(async (p) => ({
          id: p.accountId,
          email: p.email,
          identities: await stores.accounts.identities(p.accountId),
        })),
      )
      const blocked = await stores.blocks.list()
      const body = `${searchForm(q)}
${q ? `<h2>Results</h2>${resultsTable(people)}` : ''}
<h2>Blocked people</h2>
${table(
  ['Account id', 'Blocked by', 'When (UTC)'],
  blocked.map((b) => [b.accountId, b.blockedBy, isoTime(b.blockedAt)]),
)}
${auditTable(await stores.audit.recent(50))}`
      return sendHtml(
        reply,
        200,
        consolePage({
          title: 'People',
          page: 'people',
          admin: session.admin,
          csrfToken: session.csrfToken,
          body,
        }),
      )
    })

    app.get<PersonParams & { Querystring: { done?: string } }>(
      '/console/people/:id',
      async (request, reply) => {
        const session = await guard.read(request, reply)
        if (!session) return reply
        const now = deps.now()
        const account = await stores.accounts.get(request.params.id)
        if (!account) {
          return sendHtml(
            reply,
            404,
            consolePage({
              title: 'No such person',
              page: 'people',
              admin: session.admin,
              csrfToken: session.csrfToken,
              body: searchForm(''),
            }),
          )
        }
        const [identities, entitlement, usage, subscription, blocked, audit] = await Promise.all([
          stores.accounts.identities(account.id),
          deps.entitlements.entitlement(account.id, now),
          deps.reports.accountUsage(account.id, utcDay(now - 29 * DAY_MS)),
          subscriptionText(account.id, now),
          stores.blocks.isBlocked(account.id),
          stores.audit.recent(50),
        ])
        const mine = audit.filter((e) => e.target === account.id)
        const done = request.query.done
        return sendHtml(
          reply,
          200,
          consolePage({
            title: 'Person',
            page: 'people',
            admin: session.admin,
            csrfToken: session.csrfToken,
            notice: done ? { text: String(done).slice(0, 200) } : undefined,
            body: `${personBody({ account, identities, entitlement, usage, subscription, blocked }, session.csrfToken)}${auditTable(mine)}`,
          }),
        )
      },
    )

    app.post<PersonParams & ActionBody>('/console/people/:id/premium', async (request, reply) => {
      const session = await guard.write(request, reply, request.body?._csrf)
      if (!session) return reply
      const id = request.params.id
      const days = Number(request.body?.days)
      const action = request.body?.action === 'revoke' ? 'revoke' : 'grant'
      if (!(await stores.accounts.get(id))) return reply.code(404).send({ error: 'not_found' })
      if (!Number.isInteger(days) || days < 1 || days > 3650) {
        request.log.info({ days: request.body?.days }, 'console premium change refused: bad days')
        return back(reply, id, 'Days must be a whole number from 1 to 3650. Nothing changed.')
      }
      const now = deps.now()
      const { until } =
        action === 'grant'
          ? await deps.grants.grant(id, days, now)
          : await deps.grants.revoke(id, days, now)
      const detail = `${days} days; granted premium now ends ${isoTime(until)}`
      await stores.audit.record({
        actor: session.admin,
        action: action === 'grant' ? 'grant premium' : 'revoke premium',
        target: id,
        detail,
        createdAt: now,
      })
      request.log.info({ accountId: id, days, action }, 'console premium change')
      return back(reply, id, `${action === 'grant' ? 'Granted' : 'Revoked'} ${detail}.`)
    })

    app.post<PersonParams & ActionBody>('/console/people/:id/block', async (request, reply) => {
      const session = await guard.write(request, reply, request.body?._csrf)
      if (!session) return reply
      const id = request.params.id
      if (!(await stores.accounts.get(id))) return reply.code(404).send({ error: 'not_found' })
      const now = deps.now()
      const unblock = request.body?.action === 'unblock'
      if (unblock) await stores.blocks.unblock(id)
      else await stores.blocks.block(id, session.admin, now)
      await stores.audit.record({
        actor: session.admin,
        action: unblock ? 'unblock' : 'block',
        target: id,
        detail: '',
        createdAt: now,
      })
      request.log.info(
        { accountId: id, action: unblock ? 'unblock' : 'block' },
        'console block change',
      )
      return back(reply, id, unblock ? 'Unblocked.' : 'Blocked: one polite refusal, then ignored.')
    })
  }
}
