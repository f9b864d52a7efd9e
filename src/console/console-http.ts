import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ConsoleSession } from '../storage/sql-console-session-store.js'
import type { ConsoleAccess } from './console-access.js'

export const SESSION_COOKIE = 'jlm_console'

/** Reads one cookie from the request (no cookie plugin needed for one name). */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie ?? ''
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export interface CookieOptions {
  /** PUBLIC_URL is https. */
  readonly secure: boolean
}

export function sessionCookie(
  value: string,
  maxAgeSeconds: number,
  options: CookieOptions,
): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/console',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ')
}

export function clearedCookie(options: CookieOptions): string {
  return sessionCookie('', 0, options)
}

/**
 * The console's own Content-Security-Policy: scripts and styles from this server only (the
 * inline style block is the page's own), forms post here only, never framed.
 * `upgrade-insecure-requests` only when served over https, so plain-http installs keep working.
 */
export function consoleCsp(secure: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
    ...(secure ? ['upgrade-insecure-requests'] : []),
  ].join('; ')
}

export function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  const secure =
    reply.request.protocol === 'https' || reply.request.headers['x-forwarded-proto'] === 'https'
  return (
    reply
      .code(status)
      .header('content-security-policy', consoleCsp(secure))
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      // same-origin: links never leak the address elsewhere, yet our own form posts keep their
      // Origin header (no-referrer makes Chromium send `Origin: null`).
      .header('referrer-policy', 'same-origin')
      .send(html)
  )
}

/** The session of the request, or undefined (the caller answers the sign-in page). */
export async function sessionOf(
  access: ConsoleAccess,
  request: FastifyRequest,
  now: number,
): Promise<ConsoleSession | undefined> {
  return access.session(cookieOf(request, SESSION_COOKIE), now)
}

/**
 * Cross-site request checks for state-changing requests: the Origin (or, without one, the
 * Referer) must be the console's own origin, and the per-session CSRF token must come in the
 * form field `_csrf` or the `x-csrf-token` header. SameSite=Strict is the third layer.
 */
export function crossSiteProblem(
  request: FastifyRequest,
  session: ConsoleSession,
  publicOrigin: string,
  formToken: string | undefined,
): string | undefined {
  const origin = request.headers.origin ?? originOf(request.headers.referer)
  if (origin !== publicOrigin) return `origin ${origin ?? 'missing'} is not ${publicOrigin}`
  const given = formToken ?? headerValue(request.headers['x-csrf-token'])
  if (given !== session.csrfToken) return 'missing or wrong CSRF token'
  return undefined
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
