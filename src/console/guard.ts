import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ConsoleSession } from '../storage/sql-console-session-store.js'
import { SIGNED_OUT_PAGE } from './auth-routes.js'
import type { ConsoleDeps, ConsoleOptions } from './console-deps.js'
import { crossSiteProblem, sendHtml, sessionOf } from './console-http.js'
import { plainPage } from './console-layout.js'

export interface Guard {
  /** For reading: the session, or undefined after answering the signed-out page (401). */
  read(request: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession | undefined>
  /**
   * For changing state: a session AND a same-origin request carrying the session's CSRF token;
   * otherwise undefined after answering 401/403 and logging why.
   */
  write(
    request: FastifyRequest,
    reply: FastifyReply,
    formToken: string | undefined,
  ): Promise<ConsoleSession | undefined>
}

export function createGuard(deps: ConsoleDeps, options: ConsoleOptions): Guard {
  const publicOrigin = new URL(options.publicUrl).origin
  const read = async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await sessionOf(deps.access, request, deps.now())
    if (!session) {
      request.log.info({ path: request.routeOptions.url }, 'console request without a session')
      await sendHtml(reply, 401, SIGNED_OUT_PAGE)
    }
    return session
  }
  return {
    read,
    async write(request, reply, formToken) {
      const session = await read(request, reply)
      if (!session) return undefined
      const problem = crossSiteProblem(request, session, publicOrigin, formToken)
      if (problem) {
        request.log.warn(
          { problem, path: request.routeOptions.url },
          'cross-site console request refused',
        )
        await sendHtml(
          reply,
          403,
          plainPage(
            'Refused',
            '<p>This request did not come from the console, so nothing was changed.</p>',
          ),
        )
        return undefined
      }
      return session
    },
  }
}
