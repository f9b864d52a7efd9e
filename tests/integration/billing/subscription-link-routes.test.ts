import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type OpenedLink,
  subscriptionLinkRoutes,
} from '../../../src/billing/subscription-link-routes.js'
import { createServer } from '../../../src/server/app.js'

let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
})

async function withLinks(
  result: OpenedLink,
  rateLimitMax = 30,
  log = pino({ level: 'silent' }),
): Promise<FastifyInstance> {
  app = await createServer({
    log,
    registry: new Registry(),
    health: async () => [],
    plugins: [
      {
        plugin: subscriptionLinkRoutes,
        options: {
          openCheckout: async () => result,
          openPortal: async () => result,
          now: () => 0,
          rateLimitMax,
        },
      },
    ],
  })
  return app
}

describe('link routes', () => {
  it('redirects with 303 and no caching', async () => {
    const server = await withLinks({ kind: 'redirect', url: 'https://checkout.example/cs_1' })
    const response = await server.inject({ url: '/subscribe/token' })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('https://checkout.example/cs_1')
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('names the right command on the billing page', async () => {
    const server = await withLinks({ kind: 'used' })
    const response = await server.inject({ url: '/billing/token' })
    expect(response.statusCode).toBe(410)
    expect(response.headers['content-type']).toContain('text/html')
    expect(response.body).toContain('/billing')
  })

  it('never writes the personal token to the logs', async () => {
    const lines: string[] = []
    const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) })
    const server = await withLinks({ kind: 'redirect', url: 'https://x.example/cs' }, 30, log)
    await server.inject({ url: '/billing/SECRET-TOKEN-123' })
    await server.inject({ url: '/subscribe/success' })
    expect(lines.some((l) => l.includes('personal link opened'))).toBe(true)
    expect(lines.some((l) => l.includes('/subscribe/success'))).toBe(true)
    expect(lines.join('\n')).not.toContain('SECRET-TOKEN-123')
  })

  it('rate limits per client', async () => {
    const server = await withLinks({ kind: 'invalid' }, 2)
    const statuses: number[] = []
    for (let i = 0; i < 3; i++)
      statuses.push((await server.inject({ url: '/subscribe/t' })).statusCode)
    expect(statuses).toEqual([400, 400, 429])
    expect((await server.inject({ url: '/health' })).statusCode).toBe(200)
  })

  it('refuses absurdly long tokens before doing any work', async () => {
    const server = await withLinks({ kind: 'redirect', url: 'https://x.example' })
    const response = await server.inject({ url: `/subscribe/${'a'.repeat(1100)}` })
    expect(response.statusCode).toBeGreaterThanOrEqual(400)
    expect(response.statusCode).toBeLessThan(500)
  })
})
