import { GrammyError, HttpError, type Transformer } from 'grammy'
import type { Logger } from '../../src/core/ports/logger.js'

/**
 * A failed Bot API call as the operator log shows it, under `err`. It has no `message` on
 * purpose: pino's error serializer then passes it through as it is.
 */
export interface ApiFailure {
  readonly type: string
  readonly reason: string
  readonly errorCode?: number | undefined
  readonly description?: string | undefined
  readonly cause?: string | undefined
}

/**
 * Describes a Bot API failure without the bot token. grammY keeps the token out of its own
 * messages, but the fetch error it wraps in `HttpError` quotes the request URL, which holds the
 * token: logged as is, pino's error serializer would print it.
 */
export function describeApiFailure(err: unknown, token: string): ApiFailure {
  const scrub = (text: string) => withoutToken(text, token)
  if (err instanceof GrammyError) {
    return {
      type: 'GrammyError',
      reason: scrub(err.message),
      errorCode: err.error_code,
      description: scrub(err.description),
    }
  }
  if (err instanceof HttpError) {
    const cause = err.error instanceof Error ? err.error.message : String(err.error)
    return { type: 'HttpError', reason: scrub(err.message), cause: scrub(cause) }
  }
  if (err instanceof Error) return { type: err.name, reason: scrub(err.message) }
  return { type: typeof err, reason: scrub(String(err)) }
}

function withoutToken(text: string, token: string): string {
  return text.replaceAll(token, '[redacted]').replace(/\/bot[^/\s]+\//g, '/bot[redacted]/')
}

/**
 * An API transformer that logs every failed `getUpdates` call at warn: Telegram's answer
 * (409 when another instance polls or a webhook is set, 401 for a revoked token, 5xx, 429) or
 * the network error. Install it before auto-retry so the attempts auto-retry repeats are seen
 * too. An aborted call (the poll being stopped) is not a failure.
 */
export function logPollingFailures(log: Logger, token: string): Transformer {
  return async (prev, method, payload, signal) => {
    if (method !== 'getUpdates') return prev(method, payload, signal)
    try {
      const result = await prev(method, payload, signal)
      if (!result.ok) {
        const failure: ApiFailure = {
          type: 'ApiError',
          reason: `getUpdates answered ${result.error_code}`,
          errorCode: result.error_code,
          description: withoutToken(result.description, token),
        }
        log.warn({ err: failure }, 'telegram getUpdates failed')
      }
      return result
    } catch (err) {
      if (!signal?.aborted) {
        log.warn({ err: describeApiFailure(err, token) }, 'telegram getUpdates failed')
      }
      throw err
    }
  }
}
