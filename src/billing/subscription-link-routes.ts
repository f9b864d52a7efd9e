import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { htmlPage } from '../shared/html.js'

/** The outcome of opening a personal link (mirrors the billing service's result). */
export type OpenedLink =
  | { readonly kind: 'redirect'; readonly url: string }
  | {
      readonly kind:
        | 'expired'
        | 'invalid'
        | 'used'
        | 'already_subscribed'
        | 'no_customer'
        | 'unavailable'
    }

export interface SubscriptionLinkRoutesOptions {
  readonly openCheckout: (token: string, now: number) => Promise<OpenedLink>
  readonly openPortal: (token: string, now: number) => Promise<OpenedLink>
  readonly now: () => number
  /** Requests per IP per minute on these routes (default 30). */
  readonly rateLimitMax?: number | undefined
}

const PAGES: Record<Exclude<OpenedLink['kind'], 'redirect'>, [number, string, string]> = {
  expired: [
    410,
    'This link has expired',
    'Links work for one hour. Run the command again in the chat to get a new one.',
  ],
  invalid: [
    400,
    'This link is not valid',
    'The link is incomplete or was changed. Run the command again in the chat to get a new one.',
  ],
  used: [
    410,
    'This link was already used',
    'Each link works once. Run the command again in the chat to get a new one.',
  ],
  already_subscribed: [
    409,
    'You already have premium',
    'Your subscription is active. Use /billing in the chat to manage it.',
  ],
  no_customer: [
    404,
    'No subscription yet',
    'There is nothing to manage yet. Use /subscribe in the chat to start premium.',
  ],
  unavailable: [
    502,
    'Payments are unavailable right now',
    'We could not reach the payment provider. Please run the command again in the chat in a few minutes.',
  ],
}

const TokenParams = {
  type: 'object',
  properties: { token: { type: 'string', minLength: 1, maxLength: 1024 } },
  required: ['token'],
} as const

function page(reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(htmlPage(title, message))
}

/** Link-preview fetchers of chat apps and HEAD probes; they must not use up a single-use link. */
const PREVIEW_AGENTS =
  /TelegramBot|Discordbot|Slackbot|facebookexternalhit|Twitterbot|WhatsApp|LinkedInBot|SkypeUriPreview|Iframely|embedly/i

function isPreview(request: FastifyRequest): boolean {
  return request.method === 'HEAD' || PREVIEW_AGENTS.test(request.headers['user-agent'] ?? '')
}

function previewPage(reply: FastifyReply): FastifyReply {
  return page(reply, 200, 'JustLayMe', 'Open this personal link in your browser to continue.')
}

function answer(reply: FastifyReply, result: OpenedLink, command: string): FastifyReply {
  reply.log.info({ link: command.slice(1), outcome: result.kind }, 'personal link opened')
  if (result.kind === 'redirect') {
    return reply.header('cache-control', 'no-store').redirect(result.url, 303)
  }
  const [status, title, message] = PAGES[result.kind]
  return page(reply, status, title, message.replace('the command', command))
}

/**
 * `GET /subscribe/:token`, `/billing/:token` (single-use personal links that 303 to Stripe),
 * and the pages Stripe sends people back to. Rate limited per IP.
 */
export const subscriptionLinkRoutes: FastifyPluginAsync<SubscriptionLinkRoutesOptions> = async (
  app,
  options,
) => {
  await app.register(rateLimit, { max: options.rateLimitMax ?? 30, timeWindow: '1 minute' })

  app.get('/subscribe/success', async (_request, reply) =>
    page(
      reply,
      200,
      'Thank you!',
      'Your payment went through. Premium turns on in the chat within a minute; you can close this tab.',
    ),
  )
  app.get('/subscribe/cancel', async (_request, reply) =>
    page(
      reply,
      200,
      'No payment made',
      'You left checkout before paying. Use /subscribe in the chat whenever you want premium.',
    ),
  )
  app.get('/billing/done', async (_request, reply) =>
    page(reply, 200, 'All set', 'You can close this tab and go back to the chat.'),
  )
  app.get<{ Params: { token: string } }>(
    '/subscribe/:token',
    { schema: { params: TokenParams } },
    async (request, reply) =>
      isPreview(request)
        ? previewPage(reply)
        : answer(
            reply,
            await options.openCheckout(request.params.token, options.now()),
            '/subscribe',
          ),
  )
  app.get<{ Params: { token: string } }>(
    '/billing/:token',
    { schema: { params: TokenParams } },
    async (request, reply) =>
      isPreview(request)
        ? previewPage(reply)
        : answer(reply, await options.openPortal(request.params.token, options.now()), '/billing'),
  )
}
