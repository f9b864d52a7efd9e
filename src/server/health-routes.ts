import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { Registry } from 'prom-client'
import type { ReplicaInfo } from '../coordination/ports.js'
import type { ComponentHealth } from '../core/types.js'
import { type DrainState, isReady, overallStatus } from './health-status.js'

export interface HealthRoutesOptions {
  /** Every component under a stable name (database, ollama, mail, stripe, discord, telegram). */
  readonly health: () => Promise<readonly ComponentHealth[]>
  /** The drain state; absent means never draining. */
  readonly drain?: (() => DrainState) | undefined
  readonly registry: Registry
  /**
   * METRICS_TOKEN: `Authorization: Bearer <token>` unlocks `/metrics` and component details.
   * Unset: only local requests (loopback, not forwarded by a proxy) get them.
   */
  readonly metricsToken?: string | undefined
  /** Live replicas (id, host, pid, version, start, heartbeat, draining, leases owned). */
  readonly replicas?: (() => Promise<readonly ReplicaInfo[]>) | undefined
}

const NOT_DRAINING: DrainState = { draining: false, repliesInFlight: 0 }
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/** True for a caller allowed to see internals: the right bearer token, or a local request. */
export function mayInspect(request: FastifyRequest, token: string | undefined): boolean {
  if (token) {
    const header = request.headers.authorization ?? ''
    const given = /^Bearer\s+(\S+)$/i.exec(header)?.[1]
    return given !== undefined && timingSafeEqual(digest(given), digest(token))
  }
  const forwarded = request.headers['x-forwarded-for'] ?? request.headers.forwarded
  return forwarded === undefined && LOOPBACK.test(request.socket.remoteAddress ?? '')
}

/**
 * `/health` (overall state; details for an authorised caller), `/health/live` (the process
 * serves HTTP), `/health/ready` (may take new work: 503 while draining or without database or
 * Ollama) and `/metrics` (Prometheus text, authorised callers only).
 */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  const drain = options.drain ?? (() => NOT_DRAINING)

  const components = async (): Promise<readonly ComponentHealth[]> => {
    try {
      return await options.health()
    } catch (err) {
      app.log.error({ err }, 'health check failed')
      return [{ name: 'health', status: 'down', essential: true, detail: 'check failed' }]
    }
  }

  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
  })

  app.get('/health', async (request, reply) => {
    const state = drain()
    const list = await components()
    const status = overallStatus(list, state)
    reply.code(status === 'ok' ? 200 : 503)
    const body: Record<string, unknown> = { status }
    if (state.draining) body.repliesInFlight = state.repliesInFlight
    if (mayInspect(request, options.metricsToken)) {
      body.draining = state.draining
      body.repliesInFlight = state.repliesInFlight
      body.components = list
      if (options.replicas) body.replicas = await replicasOr(options.replicas, app.log)
    }
    return body
  })

  app.get('/health/live', async () => ({ status: 'up' }))

  app.get('/health/ready', async (request, reply) => {
    const state = drain()
    const list = state.draining ? [] : await components()
    const ready = isReady(list, state)
    reply.code(ready ? 200 : 503)
    const status = ready ? 'ready' : state.draining ? 'draining' : 'not_ready'
    if (!mayInspect(request, options.metricsToken)) return { status }
    return {
      status,
      components: list.filter((c) => c.name === 'database' || c.name === 'ollama'),
    }
  })

  app.get('/metrics', async (request, reply) => {
    if (!mayInspect(request, options.metricsToken)) {
      if (options.metricsToken) {
        reply.header('www-authenticate', 'Bearer')
        return reply.code(401).send({
          error: 'unauthorized',
          message: 'Send Authorization: Bearer <METRICS_TOKEN>.',
        })
      }
      return reply.code(403).send({
        error: 'forbidden',
        message: 'Metrics are served to local requests only; set METRICS_TOKEN to scrape remotely.',
      })
    }
    const text = await options.registry.metrics()
    return reply.type(options.registry.contentType).send(text)
  })
}

async function replicasOr(
  list: () => Promise<readonly ReplicaInfo[]>,
  log: { error(obj: object, msg: string): void },
): Promise<readonly ReplicaInfo[] | string> {
  try {
    return await list()
  } catch (err) {
    log.error({ err }, 'listing replicas failed')
    return 'unavailable'
  }
}
