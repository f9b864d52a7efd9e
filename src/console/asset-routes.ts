import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { FastifyPluginAsync } from 'fastify'
import { CONSOLE_SCRIPT } from './console-script.js'

/** uPlot's browser build, read from the installed package: never from a CDN. */
async function uplotFiles(): Promise<{ js: string; css: string }> {
  const dist = dirname(createRequire(import.meta.url).resolve('uplot'))
  const [js, css] = await Promise.all([
    readFile(join(dist, 'uPlot.iife.min.js'), 'utf8'),
    readFile(join(dist, 'uPlot.min.css'), 'utf8'),
  ])
  return { js, css }
}

/** `/console/assets/*`: the charting library and the console script, cached for a day. */
export const assetRoutes: FastifyPluginAsync = async (app) => {
  const uplot = await uplotFiles()
  const send = (type: string, body: string) => ({ type, body })
  const assets: Record<string, { type: string; body: string }> = {
    'uplot.js': send('text/javascript; charset=utf-8', uplot.js),
    'uplot.css': send('text/css; charset=utf-8', uplot.css),
    'console.js': send('text/javascript; charset=utf-8', CONSOLE_SCRIPT),
  }
  app.get<{ Params: { name: string } }>('/console/assets/:name', async (request, reply) => {
    const asset = assets[request.params.name]
    if (!asset) return reply.code(404).send({ error: 'not_found' })
    return reply.type(asset.type).header('cache-control', 'private, max-age=86400').send(asset.body)
  })
}
