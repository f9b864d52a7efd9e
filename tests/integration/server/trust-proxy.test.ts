import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { subscriptionLinkRoutes } from '../../../src/billing/subscription-link-routes.js'
import { ConfigError, loadConfig } from '../../../src/config.js'
import { createServer } from '../../../src/server/app.js'
import { serverOptionsFrom } from '../../../src/wiring/config-options.js'

let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

/** The link routes (rate limited per client address) on a server built from `TRUST_PROXY`. */
async function serverWith(trustProxy: string | undefined): Promise<FastifyInstance> {
  const config = loadConfig(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy })
  app = await createServer(
    {
      log: pino({ level: 'silent' }),
      registry: new Registry(),
      health: async () => [],
      plugins: [
        {
          plugin: subscriptionLinkRoutes,
          options: {
            openCheckout: async () => ({ kind: 'redirect', url: 'https://pay.example/cs_1' }),
            openPortal: async () => ({ kind: 'used' }),
            now: () => 0,
            rateLimitMax: 2,
          },
        },
      ],
    },
    serverOptionsFrom(config),
  )
  return app
}

/** Status codes of `count` link openings by one client behind the proxy at 127.0.0.1. */
async function open(server: FastifyInstance, client: string, count: number): Promise<number[]> {
  const codes: number[] = []
  for (let i = 0; i < count; i++) {
    const response = await server.inject({
      url: '/subscribe/token',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': client },
    })
    codes.push(response.statusCode)
  }
  return codes
}

describe('TRUST_PROXY', () => {
  it('parses false, true, a hop count and a list of addresses; refuses anything else', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false)
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true)
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2)
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,loopback' }).TRUST_PROXY).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'loopback',
    ])
    for (const bad of ['maybe', '10.0.0.0/33', '300.1.1.1', 'proxy.local']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(ConfigError)
    }
  })

  it('off: every client behind the proxy shares one rate-limit bucket', async () => {
    const server = await serverWith(undefined)
    expect(await open(server, '203.0.113.1', 2)).toEqual([303, 303])
    expect(await open(server, '203.0.113.2', 1)).toEqual([429])
  })

  for (const setting of ['true', '1', '127.0.0.1', 'loopback,10.0.0.0/8']) {
    it(`TRUST_PROXY=${setting}: each real client gets its own bucket (X-Forwarded-For)`, async () => {
      const server = await serverWith(setting)
      expect(await open(server, '203.0.113.1', 3)).toEqual([303, 303, 429])
      expect(await open(server, '203.0.113.2', 2)).toEqual([303, 303])
    })
  }

  it('a proxy list never trusts X-Forwarded-For from an address outside it', async () => {
    const server = await serverWith('10.0.0.0/8')
    expect(await open(server, '203.0.113.1', 2)).toEqual([303, 303])
    // The peer 127.0.0.1 is not a listed proxy, so a forged header does not buy a new bucket.
    expect(await open(server, '203.0.113.9', 1)).toEqual([429])
  })
})
