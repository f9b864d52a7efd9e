import type {} from '@fastify/multipart'
import type { FastifyPluginAsync } from 'fastify'
import type { ConsoleDeps, ConsoleOptions } from './console-deps.js'
import { sendHtml } from './console-http.js'
import { consolePage } from './console-layout.js'
import { createGuard } from './guard.js'
import type { PersonaFiles } from './persona-files.js'
import { personasBody } from './personas-page.js'

/** Largest card the console accepts (PNG cards carry a picture). */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024

type FileParams = { Params: { file: string } }

/** `/console/personas`: the list with load errors, upload, enable/disable and download. */
export function personaRoutes(
  deps: ConsoleDeps,
  options: ConsoleOptions,
  files: PersonaFiles,
): FastifyPluginAsync {
  const guard = createGuard(deps, options)
  const audit = (actor: string, action: string, target: string, detail = '') =>
    deps.stores.audit.record({ actor, action, target, detail, createdAt: deps.now() })
  const done = (text: string) => `/console/personas?done=${encodeURIComponent(text)}`

  return async (app) => {
    app.get<{ Querystring: { done?: string } }>('/console/personas', async (request, reply) => {
      const session = await guard.read(request, reply)
      if (!session) return reply
      const body = personasBody({
        personas: deps.personas.list(),
        errors: deps.personas.loadErrors(),
        disabled: await files.disabledFiles(),
        csrf: session.csrfToken,
      })
      const notice = request.query.done
        ? { text: String(request.query.done).slice(0, 300) }
        : undefined
      return sendHtml(
        reply,
        200,
        consolePage({
          title: 'Personas',
          page: 'personas',
          admin: session.admin,
          csrfToken: session.csrfToken,
          body,
          notice,
        }),
      )
    })

    app.post(
      '/console/personas/upload',
      { bodyLimit: MAX_UPLOAD_BYTES + 64 * 1024 },
      async (request, reply) => {
        if (!request.isMultipart()) return reply.code(415).send({ error: 'multipart_expected' })
        const part = await request.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } })
        const token = part?.fields._csrf
        const csrf = token && 'value' in token ? String(token.value) : undefined
        const session = await guard.write(request, reply, csrf)
        if (!session) {
          await part?.toBuffer().catch(() => undefined)
          return reply
        }
        if (!part || part.filename === '')
          return reply.redirect(done('Choose a file to upload.'), 303)
        let bytes: Buffer
        try {
          bytes = await part.toBuffer()
        } catch {
          request.log.info({ file: part.filename }, 'persona upload too large')
          return reply.redirect(
            done(`The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB.`),
            303,
          )
        }
        const result = await files.upload(part.filename, bytes)
        if (!result.ok) {
          request.log.info({ file: part.filename }, 'persona upload refused')
          return reply.redirect(done(result.message), 303)
        }
        await audit(session.admin, 'upload persona', result.personaId, result.file)
        request.log.info({ file: result.file, persona: result.personaId }, 'persona uploaded')
        return reply.redirect(done(`Added ${result.file} as persona '${result.personaId}'.`), 303)
      },
    )

    app.post<FileParams & { Body: { _csrf?: string; action?: string } }>(
      '/console/personas/files/:file',
      async (request, reply) => {
        const session = await guard.write(request, reply, request.body?._csrf)
        if (!session) return reply
        const enable = request.body?.action === 'enable'
        const ok = await files.setEnabled(request.params.file, enable)
        if (!ok)
          return reply.redirect(
            done(`No file ${request.params.file} to ${enable ? 'enable' : 'disable'}.`),
            303,
          )
        await audit(
          session.admin,
          enable ? 'enable persona' : 'disable persona',
          request.params.file,
        )
        return reply.redirect(
          done(`${enable ? 'Enabled' : 'Disabled'} ${request.params.file}.`),
          303,
        )
      },
    )

    app.get<{ Params: { id: string }; Querystring: { format?: string } }>(
      '/console/personas/:id/download',
      async (request, reply) => {
        const session = await guard.read(request, reply)
        if (!session) return reply
        const id = request.params.id
        if (!deps.personas.get(id)) return reply.code(404).send({ error: 'not_found' })
        if (request.query.format === 'json') {
          return reply
            .type('application/json')
            .header('content-disposition', `attachment; filename="${id}.json"`)
            .send(JSON.stringify(deps.personas.exportCard(id), null, 2))
        }
        const png = await deps.personas.exportPng(id)
        if (!png) return reply.code(404).send({ error: 'not_found' })
        return reply
          .type('image/png')
          .header('content-disposition', `attachment; filename="${id}.png"`)
          .send(Buffer.from(png))
      },
    )
  }
}
