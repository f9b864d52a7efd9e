import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { pino } from 'pino'
import { Counter, Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../src/core/errors.js'
import type { ComponentHealth } from '../../../src/core/types.js'
import { createServer, type ServerDeps } from '../../../src/server/app.js'

const apps: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

async function server(
  overrides: Partial<ServerDeps> = {},
  options: { bodyLimit?: number } = {},
): Promise<FastifyInstance> {
  const app = await createServer(
    {
      log: pino({ level: 'silent' }),
      registry: new Registry(),
      health: async () => [{ name: 'database', status: 'up', essential: true }],
      ...overrides,
    },
    options,
  )
  apps.push(app)
  return app
}

const upDb: ComponentHealth = { name: 'database', status: 'up', essential: true }

describe('GET /health', () => {
  it('answers 200 with every component when the essentials are up', async () => {
    const components: ComponentHealth[] = [
      upDb,
      { name: 'smtp', status: 'down', essential: false, detail: 'connection refused' },
      { name: 'stripe', status: 'disabled', essential: false },
    ]
    const app = await server({ health: async () => components })
    const response = await app.inject({ url: '/health' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok', components })
  })

  it('answers 503 when an essential component is down', async () => {
    const app = await server({
      health: async () => [
        upDb,
        { name: 'ollama http://gpu:11434', status: 'down', essential: true },
      ],
    })
    const response = await app.inject({ url: '/health' })
    expect(response.statusCode).toBe(503)
    expect(response.json().status).toBe('unavailable')
  })

  it('answers 503 when the health check itself fails', async () => {
    const app = await server({ health: () => Promise.reject(new Error('boom')) })
    const response = await app.inject({ url: '/health' })
    expect(response.statusCode).toBe(503)
    expect(response.body).not.toContain('boom')
  })
})

describe('GET /metrics', () => {
  it('serves default and registered metrics as Prometheus text', async () => {
    const registry = new Registry()
    new Counter({ name: 'test_messages_total', help: 'messages', registers: [registry] }).inc(3)
    const app = await server({ registry })
    const response = await app.inject({ url: '/metrics' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/plain')
    expect(response.body).toContain('test_messages_total 3')
    expect(response.body).toContain('process_cpu_user_seconds_total')
  })

  it('lets two servers share one registry', async () => {
    const registry = new Registry()
    await server({ registry })
    const second = await server({ registry })
    expect((await second.inject({ url: '/metrics' })).statusCode).toBe(200)
  })
})

describe('every response', () => {
  it('carries security headers, also on errors', async () => {
    const app = await server()
    for (const url of ['/health', '/nowhere']) {
      const response = await app.inject({ url })
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(response.headers['content-security-policy']).toContain("default-src 'self'")
      expect(response.headers['strict-transport-security']).toBeDefined()
    }
  })
})

describe('errors', () => {
  const failing: FastifyPluginAsync = async (app) => {
    app.get('/boom', async () => {
      throw new Error('database password is hunter2')
    })
    app.get('/refused', async () => {
      throw new AppError('NOT_ALLOWED', 'not for you')
    })
    app.post('/echo', async (request) => request.body)
  }

  it('answers unknown routes with JSON for clients and HTML for browsers', async () => {
    const app = await server()
    const json = await app.inject({ url: '/subscribe/abc' })
    expect(json.statusCode).toBe(404)
    expect(json.json()).toMatchObject({ error: 'not_found' })
    const html = await app.inject({ url: '/nowhere', headers: { accept: 'text/html' } })
    expect(html.statusCode).toBe(404)
    expect(html.headers['content-type']).toContain('text/html')
  })

  it('has no billing routes when billing is not registered', async () => {
    const app = await server()
    expect((await app.inject({ url: '/subscribe/token' })).statusCode).toBe(404)
    expect((await app.inject({ url: '/billing/token' })).statusCode).toBe(404)
    expect(
      (await app.inject({ method: 'POST', url: '/webhooks/stripe', payload: {} })).statusCode,
    ).toBe(404)
  })

  it('never leaks error details or stacks', async () => {
    const app = await server({ plugins: [{ plugin: failing }] })
    const response = await app.inject({ url: '/boom' })
    expect(response.statusCode).toBe(500)
    expect(response.body).not.toContain('hunter2')
    expect(response.body).not.toContain('stack')
    expect(response.json().error).toBe('internal')
  })

  it('maps core errors to their status', async () => {
    const app = await server({ plugins: [{ plugin: failing }] })
    const response = await app.inject({ url: '/refused' })
    expect(response.statusCode).toBe(403)
    expect(response.json().error).toBe('not_allowed')
  })

  it('refuses bodies above the limit with 413', async () => {
    const app = await server({ plugins: [{ plugin: failing }] }, { bodyLimit: 1024 })
    const small = await app.inject({ method: 'POST', url: '/echo', payload: { a: 'x' } })
    expect(small.statusCode).toBe(200)
    const big = await app.inject({ method: 'POST', url: '/echo', payload: { a: 'x'.repeat(2000) } })
    expect(big.statusCode).toBe(413)
  })
})
