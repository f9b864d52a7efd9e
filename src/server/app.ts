import helmet from '@fastify/helmet'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify'
import type { Logger } from 'pino'
import { collectDefaultMetrics, type Registry } from 'prom-client'
import type { ReplicaInfo } from '../coordination/ports.js'
import { AppError, type AppErrorCode } from '../core/errors.js'
import type { ComponentHealth } from '../core/types.js'
import { htmlPage } from '../shared/html.js'
import { healthRoutes } from './health-routes.js'
import type { DrainState } from './health-status.js'

export interface ServerPlugin {
  // biome-ignore lint/suspicious/noExplicitAny: plugins bring their own option types.
  readonly plugin: FastifyPluginAsync<any>
  readonly options?: object | undefined
}

export interface ServerDeps {
  /** The root pino logger; Fastify uses it as `loggerInstance`. */
  readonly log: Logger
  /** Every component's state under a stable name (see `health-routes.ts`). */
  readonly health: () => Promise<readonly ComponentHealth[]>
  /** Whether a shutdown drain runs and how many replies are still in flight. */
  readonly drain?: (() => DrainState) | undefined
  /** METRICS_TOKEN: bearer token for `/metrics` and health details. */
  readonly metricsToken?: string | undefined
  /** The live replicas and what each owns, listed in `/health` details. */
  readonly replicas?: (() => Promise<readonly ReplicaInfo[]>) | undefined
  /** Served by `GET /metrics`; default process metrics are added once per registry. */
  readonly registry: Registry
  /** Route groups (email verification, Telegram webhook, billing), each encapsulated. */
  readonly plugins?: readonly ServerPlugin[] | undefined
}

export interface ServerOptions {
  /** Largest accepted request body in bytes (default 64 KiB; Stripe events are small). */
  readonly bodyLimit?: number | undefined
  /**
   * Trust `X-Forwarded-*` from a reverse proxy, so `request.ip` (and with it every rate limit)
   * is the real client: `true`, a hop count, or the proxies' addresses (`TRUST_PROXY`).
   */
  readonly trustProxy?: boolean | number | readonly string[] | undefined
}

const QUIET_ROUTES = new Set(['/health', '/health/live', '/health/ready', '/metrics'])
/** Paths and queries that hold a personal link token, which must never reach the logs. */
const CARRIES_TOKEN = /^\/(subscribe|billing)\/(?!(success|cancel|done)(\?|$))|[?&]token=/

export const DEFAULT_BODY_LIMIT = 64 * 1024

/** How each core failure maps to an HTTP status when one escapes a route. */
export const STATUS_BY_CODE: Record<AppErrorCode, number> = {
  LLM_UNAVAILABLE: 503,
  LLM_LOADING: 503,
  LLM_BUSY: 503,
  LLM_TIMEOUT: 504,
  MODEL_MISSING: 503,
  CONTEXT_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 429,
  PREMIUM_REQUIRED: 402,
  ADULT_NOT_ALLOWED: 403,
  INPUT_TOO_LONG: 413,
  PERSONA_NOT_FOUND: 404,
  NOT_ENABLED: 404,
  NOT_ALLOWED: 403,
  RATE_LIMITED: 429,
  CANCELLED: 499,
  INVALID_INPUT: 400,
  INTERNAL: 500,
}

/** People opening links in a browser get HTML; everything else (Stripe, monitors) JSON. */
export function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? ''
  return accept.includes('text/html')
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
): FastifyReply {
  reply.code(status)
  if (wantsHtml(request)) {
    return reply.type('text/html; charset=utf-8').send(htmlPage('Something went wrong', message))
  }
  return reply.send({ error: code, message })
}

/**
 * Builds the HTTP app: security headers, `/health`, `/metrics`, the given route plugins,
 * a 404 handler and an error handler that never leaks stacks. Never listens: the caller
 * does (`await app.listen({ host, port })`) and closes it on shutdown.
 */
export async function createServer(
  deps: ServerDeps,
  options: ServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is Fastify's base logger; widening keeps the instance type plain.
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    trustProxy: fastifyTrustProxy(options.trustProxy),
    // Monitors poll /health and /metrics every few seconds; their request lines would drown
    // the rest. URLs with personal tokens are never logged (the routes log outcomes instead).
    logController: new LogController({
      disableRequestLogging: (request) =>
        QUIET_ROUTES.has(request.url) || CARRIES_TOKEN.test(request.url),
    }),
    return503OnClosing: true,
    // Signed link tokens in paths are longer than Fastify's default limit of 100.
    routerOptions: { maxParamLength: 1024 },
  })

  await app.register(helmet, { global: true })

  if (!deps.registry.getSingleMetric('process_cpu_user_seconds_total')) {
    collectDefaultMetrics({ register: deps.registry })
  }

  await app.register(healthRoutes, {
    health: deps.health,
    drain: deps.drain,
    registry: deps.registry,
    metricsToken: deps.metricsToken,
    replicas: deps.replicas,
  })

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, 'not_found', 'There is nothing at this address.'),
  )

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      const status = STATUS_BY_CODE[error.code]
      if (status >= 500) request.log.error({ err: error }, 'request failed')
      else request.log.warn({ code: error.code }, 'request refused')
      return sendError(request, reply, status, error.code.toLowerCase(), publicMessage(status))
    }
    const status =
      typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return sendError(request, reply, status, 'internal', publicMessage(status))
    }
    request.log.warn({ code: error.code, status }, 'bad request')
    // Fastify's own 4xx messages (validation, body too large) describe the request, not us.
    return sendError(request, reply, status, error.code ?? 'bad_request', error.message)
  })

  // After the handlers: plugins inherit the error handler that exists when they load.
  for (const { plugin, options: pluginOptions } of deps.plugins ?? []) {
    await app.register(plugin, pluginOptions ?? {})
  }

  return app
}

/**
 * Fastify 5 takes addresses and booleans as they are but treats a bare number as "trust no
 * hop"; a hop count becomes the function proxy-addr understands (trust the nearest `n` hops).
 */
function fastifyTrustProxy(
  value: ServerOptions['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === 'number') return (_address, hop) => hop < value
  if (typeof value === 'object') return [...value]
  return value ?? false
}

function publicMessage(status: number): string {
  if (status === 404) return 'There is nothing at this address.'
  if (status === 429) return 'Too many requests; please wait a moment and try again.'
  if (status < 500) return 'The request could not be handled.'
  return 'Something went wrong on our side. Please try again later.'
}
