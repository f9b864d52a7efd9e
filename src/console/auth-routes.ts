import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsync } from 'fastify'
import type { ConsoleDeps, ConsoleOptions } from './console-deps.js'
import {
  clearedCookie,
  cookieOf,
  crossSiteProblem,
  SESSION_COOKIE,
  sendHtml,
  sessionCookie,
} from './console-http.js'
import { h, plainPage } from './console-layout.js'

const REFUSED: Record<'expired' | 'invalid' | 'used' | 'not_admin', [number, string, string]> = {
  expired: [
    410,
    'This sign-in link has expired',
    'Sign-in links work for 10 minutes. Ask the bot for a new one with /admin console.',
  ],
  invalid: [
    400,
    'This sign-in link is not valid',
    'The link is incomplete or was changed. Ask the bot for a new one with /admin console.',
  ],
  used: [
    410,
    'This sign-in link was already used',
    'Each sign-in link works once. Ask the bot for a new one with /admin console.',
  ],
  not_admin: [403, 'Not an admin', 'Only people listed in ADMINS can open the console.'],
}

/** What anyone without a session sees at /console. */
export const SIGNED_OUT_PAGE = plainPage(
  'Operator console',
  '<p>Ask the bot for a sign-in link: send <code>/admin console</code> in a private chat with it. Links work once, for 10 minutes.</p>',
)

const refusedPage = (kind: keyof typeof REFUSED) => {
  const [status, title, text] = REFUSED[kind]
  return { status, html: plainPage(title, `<p>${h(text)}</p>`) }
}

/**
 * Sign-in and sign-out. Opening the link shows a button; the POST uses the link up, so chat
 * apps' link previews never spend it, and the session cookie is set by a same-site request.
 */
export function authRoutes(deps: ConsoleDeps, options: ConsoleOptions): FastifyPluginAsync {
  const publicOrigin = new URL(options.publicUrl).origin
  const cookie = { secure: options.publicUrl.startsWith('https:') }
  return async (app) => {
    await app.register(rateLimit, { max: 30, timeWindow: 60_000 })

    app.get<{ Querystring: { token?: string } }>('/console/signin', async (request, reply) => {
      const token = String(request.query.token ?? '')
      const state = deps.access.check(token, deps.now())
      if (state !== 'valid') {
        request.log.info({ outcome: state }, 'console sign-in link refused')
        const page = refusedPage(state)
        return sendHtml(reply, page.status, page.html)
      }
      return sendHtml(
        reply,
        200,
        plainPage(
          'Sign in to the operator console',
          `<form method="post" action="/console/signin"><input type="hidden" name="token" value="${h(token)}"><button type="submit">Sign in</button></form>`,
        ),
      )
    })

    app.post<{ Body: { token?: string } }>('/console/signin', async (request, reply) => {
      const origin = request.headers.origin
      if (origin !== publicOrigin) {
        request.log.warn({ origin: origin ?? null }, 'console sign-in from another origin refused')
        return sendHtml(
          reply,
          403,
          plainPage('Refused', '<p>This request did not come from the console.</p>'),
        )
      }
      const result = await deps.access.signIn(String(request.body?.token ?? ''), deps.now())
      if (result.status !== 'ok') {
        request.log.info({ outcome: result.status }, 'console sign-in refused')
        const page = refusedPage(result.status)
        return sendHtml(reply, page.status, page.html)
      }
      request.log.info({ admin: result.session.admin }, 'console session started')
      const maxAge = Math.floor(options.sessionMs / 1000)
      return reply
        .header('set-cookie', sessionCookie(result.cookieValue, maxAge, cookie))
        .header('cache-control', 'no-store')
        .redirect('/console', 303)
    })

    app.post<{ Body: { _csrf?: string } }>('/console/signout', async (request, reply) => {
      const value = cookieOf(request, SESSION_COOKIE)
      const session = await deps.access.session(value, deps.now())
      if (!session || !value) return reply.redirect('/console', 303)
      const problem = crossSiteProblem(request, session, publicOrigin, request.body?._csrf)
      if (problem) {
        request.log.warn({ problem }, 'console sign-out refused')
        return sendHtml(
          reply,
          403,
          plainPage('Refused', '<p>This request did not come from the console.</p>'),
        )
      }
      await deps.access.signOut(value, session.admin, deps.now())
      request.log.info({ admin: session.admin }, 'console session ended')
      return reply.header('set-cookie', clearedCookie(cookie)).redirect('/console', 303)
    })
  }
}
