import formbody from '@fastify/formbody'
import rateLimit from '@fastify/rate-limit'
import { type Static, Type } from '@sinclair/typebox'
import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify'
import type { EmailVerifier } from './email-verifier.js'
import {
  awaitingApprovalPage,
  confirmPage,
  errorPage,
  expiredPage,
  mergeApprovalPage,
  mergeDecidedPage,
  mergeRequestGonePage,
  missingTokenPage,
  type Page,
  tooManyAttemptsPage,
  unknownPage,
  usedPage,
  verifiedPage,
} from './verification-pages.js'

export interface EmailVerificationRoutesOptions {
  readonly verifier: EmailVerifier
  readonly now?: (() => number) | undefined
  /** Requests per IP per minute on `/verify` (default 20): tokens cannot be guessed by brute force. */
  readonly rateLimitMax?: number | undefined
}

const TokenInput = Type.Object({ token: Type.Optional(Type.String()) })
type TokenInput = Static<typeof TokenInput>
const MergeInput = Type.Object({
  token: Type.Optional(Type.String()),
  decision: Type.Optional(Type.String()),
})
type MergeInput = Static<typeof MergeInput>

function decisionOf(input: MergeInput | undefined): 'approve' | 'refuse' {
  return input?.decision === 'approve' ? 'approve' : 'refuse'
}

// Tokens are 43 characters; anything much longer is not one of ours.
const MAX_TOKEN_LENGTH = 200

function send(reply: FastifyReply, page: Page): FastifyReply {
  return reply
    .code(page.status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .send(page.body)
}

function tokenOf(input: TokenInput | undefined, failed: boolean): string | undefined {
  const raw: unknown = input?.token
  if (failed || typeof raw !== 'string') return undefined
  const token = raw.trim()
  return token && token.length <= MAX_TOKEN_LENGTH ? token : undefined
}

/** Both routes: read the token, then send the page `pageFor` chooses for it. */
async function answer(
  reply: FastifyReply,
  input: TokenInput | undefined,
  invalid: boolean,
  pageFor: (token: string) => Promise<Page>,
): Promise<FastifyReply> {
  const token = tokenOf(input, invalid)
  return send(reply, token ? await pageFor(token) : missingTokenPage())
}

/** The page for a token that cannot go further: the same on both routes. */
function unusableTokenPage(status: 'used' | 'expired' | 'unknown'): Page {
  switch (status) {
    case 'used':
      return usedPage()
    case 'expired':
      return expiredPage()
    case 'unknown':
      return unknownPage()
  }
}

/**
 * `GET /verify?token=…` shows a confirmation page and changes nothing (mail scanners open
 * links); `POST /verify` (form field `token`) consumes the token and verifies the address.
 * Used, expired and unknown tokens get their own pages. Rate-limited per IP.
 */
export const emailVerificationRoutes: FastifyPluginAsync<EmailVerificationRoutesOptions> = async (
  app,
  options,
) => {
  const { verifier } = options
  const now = options.now ?? Date.now

  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    await app.register(formbody, { bodyLimit: 4096 })
  }
  await app.register(rateLimit, { max: options.rateLimitMax ?? 20, timeWindow: '1 minute' })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.statusCode === 429) {
      request.log.warn({ route: 'verify' }, 'verification page rate-limited')
      return send(reply, tooManyAttemptsPage())
    }
    if (typeof error.statusCode === 'number' && error.statusCode < 500) {
      request.log.warn({ code: error.code, status: error.statusCode }, 'bad verification request')
      return send(reply, missingTokenPage())
    }
    request.log.error({ err: error }, 'verification failed')
    return send(reply, errorPage())
  })

  app.get<{ Querystring: TokenInput }>(
    '/verify',
    { schema: { querystring: TokenInput }, attachValidation: true },
    async (request, reply) =>
      answer(reply, request.query, request.validationError !== undefined, async (token) => {
        const found = await verifier.inspect(token, now())
        return found.status === 'valid'
          ? confirmPage(found.email, token, found.requestedBy)
          : unusableTokenPage(found.status)
      }),
  )

  app.post<{ Body: TokenInput }>(
    '/verify',
    { schema: { body: TokenInput }, attachValidation: true },
    async (request, reply) =>
      answer(reply, request.body, request.validationError !== undefined, async (token) => {
        const result = await verifier.confirm(token, now())
        if (result.status === 'verified') return verifiedPage(result.email, result.merged)
        if (result.status === 'awaiting_approval') return awaitingApprovalPage(result.email)
        return unusableTokenPage(result.status)
      }),
  )

  // The verified account's answer to a request to link, from the buttons in its own chat.
  // GET shows who asks and changes nothing (link previews open it); POST decides.
  app.get<{ Querystring: MergeInput }>(
    '/verify/merge',
    { schema: { querystring: MergeInput }, attachValidation: true },
    async (request, reply) =>
      answer(reply, request.query, request.validationError !== undefined, async (token) => {
        const found = await verifier.inspectMerge(token, now())
        return found.status === 'pending'
          ? mergeApprovalPage(found.email, token, decisionOf(request.query), found.requestedBy)
          : mergeRequestGonePage(found.status)
      }),
  )

  app.post<{ Body: MergeInput }>(
    '/verify/merge',
    { schema: { body: MergeInput }, attachValidation: true },
    async (request, reply) =>
      answer(reply, request.body, request.validationError !== undefined, async (token) => {
        const result = await verifier.decideMerge(token, decisionOf(request.body), now())
        if (result.status === 'approved') return mergeDecidedPage(true, result.email)
        if (result.status === 'refused') return mergeDecidedPage(false, result.email)
        return mergeRequestGonePage(result.status)
      }),
  )
}
