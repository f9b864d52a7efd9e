import type { FastifyPluginAsync } from 'fastify'
import { userMessageFor } from '../../bots/shared/user-messages.js'
import type { PlatformCaller } from '../core/caller.js'
import type { ConsoleDeps, ConsoleOptions } from './console-deps.js'
import { createGuard } from './guard.js'

/** The console's own account: platform `console`, listed as an admin, so no quota applies. */
export const WEB_CONSOLE_USER_ID = 'web-console'

const CALLER: PlatformCaller = {
  platform: 'console',
  platformUserId: WEB_CONSOLE_USER_ID,
  displayName: 'Operator (console)',
  chatId: WEB_CONSOLE_USER_ID,
  chatKind: 'direct',
  adultAllowed: true,
  isChatAdmin: true,
}

type ChatBody = { Body: { _csrf?: string; persona?: string; text?: string } | undefined }

/**
 * `POST /console/chat`: picks the persona with `/persona` and streams the reply as plain text,
 * through the same `ChatCore` the bots use.
 */
export function chatRoutes(deps: ConsoleDeps, options: ConsoleOptions): FastifyPluginAsync {
  const guard = createGuard(deps, options)
  return async (app) => {
    app.post<ChatBody>('/console/chat', async (request, reply) => {
      const session = await guard.write(request, reply, request.body?._csrf)
      if (!session) return reply
      const text = String(request.body?.text ?? '').trim()
      const persona = String(request.body?.persona ?? '').trim()
      if (text === '' || persona === '') {
        return reply
          .code(400)
          .type('text/plain; charset=utf-8')
          .send('Pick a persona and write a message.')
      }
      const notes: string[] = []
      await deps.core.runCommand(
        { ...CALLER, name: 'persona', args: { name: persona } },
        { reply: async (r) => void notes.push(r.text), stream: async () => {} },
      )
      const abort = new AbortController()
      request.raw.on('close', () => abort.abort())
      reply.hijack()
      reply.raw.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      })
      request.log.info({ admin: session.admin, persona }, 'console test chat')
      try {
        for await (const event of deps.core.reply(
          { ...CALLER, text, addressed: true },
          abort.signal,
        )) {
          if (event.type === 'delta') reply.raw.write(event.text)
          else if (event.type === 'error') {
            reply.raw.write(`${event.partialText ? '\n\n' : ''}[${userMessageFor(event.error)}]`)
          }
        }
      } catch (err) {
        request.log.error({ err }, 'console test chat failed')
      }
      reply.raw.end()
      return reply
    })
  }
}
