import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { pino } from 'pino'
import { Counter, Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../src/core/errors.js'
import type { ComponentHealth } from '../../../src/core/types.js'
import { createServer, type ServerDeps } from '../../../src/server/app.js'
import { startTestReplica } from '../../helpers/coordination.js'

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
  it('answers 200 "ok" with every component when everything configured works', async () => {
    const components: ComponentHealth[] = [
      upDb,
      { name: 'ollama', status: 'up', essential: false },
      { name: 'mail', status: 'disabled', essential: false },
      { name: 'stripe', status: 'disabled', essential: false },
    ]
    const app = await server({ health: async () => components })
    const response = await app.inject({ url: '/health' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      status: 'ok',
      draining: false,
      repliesInFlight: 0,
      components,
    })
  })

  it('answers 503 "degraded" when no Ollama host is reachable or a configured part is down', async () => {
    for (const down of [
      { name: 'ollama', status: 'down', essential: false },
      { name: 'telegram', status: 'down', essential: false },
      { name: 'mail', status: 'down', essential: false, detail: 'connection refused' },
    ] as const) {
      const app = await server({ health: async () => [upDb, down] })
      const response = await app.inject({ url: '/health' })
      expect(response.statusCode).toBe(503)
      expect(response.json().status).toBe('degraded')
    }
  })

  it('answers 503 "down" when an essential component is down', async () => {
    const app = await server({
      health: async () => [{ ...upDb, status: 'down' }],
    })
    const response = await app.inject({ url: '/health' })
    expect(response.statusCode).toBe(503)
    expect(response.json().status).toBe('down')
  })

  it('answers 503 "draining" with the replies still running during a shutdown', async () => {
    const app = await server({ drain: () => ({ draining: true, repliesInFlight: 2 }) })
    const response = await app.inject({ url: '/health' })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toMatchObject({ status: 'draining', repliesInFlight: 2 })
  })

  it('answers 503 when the health check itself fails', async () => {
    const app = await server({ health: () => Promise.reject(new Error('boom')) })
    const response = await app.inject({ url: '/health' })
    expect(response.statusCode).toBe(503)
    expect(response.body).not.toContain('boom')
  })

  it('shows only the status to a remote caller without the token', async () => {
    const app = await server({
      health: async () => [
        upDb,
        { name: 'ollama', status: 'down', essential: false, detail: 'http://10.0.0.5:11434' },
      ],
    })
    const response = await app.inject({ url: '/health', remoteAddress: '203.0.113.9' })
    expect(response.json()).toEqual({ status: 'degraded' })
    const proxied = await app.inject({
      url: '/health',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    })
    expect(proxied.json()).toEqual({ status: 'degraded' })
  })

  it('lists the live replicas and what each owns in the details only', async () => {
    const replica = await startTestReplica()
    try {
      await replica.membership.tryAcquire('telegram:poller')
      await replica.membership.beat()
      const metricsToken = 'a-long-metrics-token-123'
      const app = await server({ metricsToken, replicas: () => replica.membership.live() })
      const open = await app.inject({ url: '/health' })
      expect(open.json().replicas).toBeUndefined()
      const shown = await app.inject({
        url: '/health',
        headers: { authorization: `Bearer ${metricsToken}` },
      })
      expect(shown.json().replicas).toEqual([
        expect.objectContaining({
          id: replica.membership.id,
          pid: process.pid,
          version: 'test',
          draining: false,
          owns: ['telegram:poller'],
        }),
      ])
    } finally {
      await replica.close()
    }
  })

  it('shows details with METRICS_TOKEN as a bearer token, and not with a wrong one', async () => {
    const metricsToken = 'a-long-metrics-token-123'
    const app = await server({ metricsToken })
    const right = await app.inject({
      url: '/health',
      remoteAddress: '203.0.113.9',
      headers: { authorization: `Bearer ${metricsToken}` },
    })
    expect(right.json().components).toEqual([upDb])
    const wrong = await app.inject({ url: '/health', headers: { authorization: 'Bearer nope' } })
    expect(wrong.json()).toEqual({ status: 'ok' })
  })
})

describe('GET /health/live and /health/ready', () => {
  const ollamaUp: ComponentHealth = { name: 'ollama', status: 'up', essential: false }

  it('live answers 200 while the process serves, even while draining', async () => {
    const app = await server({ drain: () => ({ draining: true, repliesInFlight: 1 }) })
    const response = await app.inject({ url: '/health/live' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'up' })
  })

  it('ready answers 200 with the database and at least one Ollama host up', async () => {
    const app = await server({
      health: async () => [
        upDb,
        { ...ollamaUp, status: 'degraded' },
        { name: 'discord', status: 'down', essential: false },
      ],
    })
    const response = await app.inject({ url: '/health/ready' })
    expect(response.statusCode).toBe(200)
    expect(response.json().status).toBe('ready')
  })

  it('ready answers 503 without an Ollama host or without the database', async () => {
    for (const list of [
      [upDb, { ...ollamaUp, status: 'down' }],
      [{ ...upDb, status: 'down' }, ollamaUp],
    ] as ComponentHealth[][]) {
      const app = await server({ health: async () => list })
      const response = await app.inject({ url: '/health/ready' })
      expect(response.statusCode).toBe(503)
      expect(response.json().status).toBe('not_ready')
    }
  })

  it('ready answers 503 "draining" as soon as a drain begins', async () => {
    let draining = false
    const app = await server({
      health: async () => [upDb, ollamaUp],
      drain: () => ({ draining, repliesInFlight: 0 }),
    })
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200)
    draining = true
    const response = await app.inject({ url: '/health/ready' })
    expect(response.statusCode).toBe(503)
    expect(response.json().status).toBe('draining')
  })
})

describe('GET /metrics', () => {
  it('is refused to remote callers when METRICS_TOKEN is unset', async () => {
    const app = await server()
    const response = await app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' })
    expect(response.statusCode).toBe(403)
    expect(response.body).toContain('METRICS_TOKEN')
  })

  it('needs the bearer token when METRICS_TOKEN is set, even locally', async () => {
    const metricsToken = 'a-long-metrics-token-123'
    const app = await server({ metricsToken })
    const none = await app.inject({ url: '/metrics' })
    expect(none.statusCode).toBe(401)
    expect(none.headers['www-authenticate']).toBe('Bearer')
    const right = await app.inject({
      url: '/metrics',
      remoteAddress: '203.0.113.9',
      headers: { authorization: `Bearer ${metricsToken}` },
    })
    expect(right.statusCode).toBe(200)
    expect(right.body).toContain('process_cpu_user_seconds_total')
  })

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
