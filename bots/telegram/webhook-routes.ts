import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import type { Update } from 'grammy/types'
import type { Logger } from '../../src/core/ports/logger.js'
import { RecentIds } from '../shared/recent-ids.js'

export interface TelegramWebhookDeps {
  readonly log: Logger
  /** Processes an update in the background; never rejects. */
  readonly process: (update: Update) => void
  /** False until the bot knows itself (getMe); updates are refused with 503 before. */
  readonly ready: () => boolean
}

export interface TelegramWebhookOptions {
  readonly secretToken: string | undefined
  /** How many recent `update_id`s are remembered to drop redeliveries. */
  readonly rememberUpdates?: number
}

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram'

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * `POST /webhooks/telegram`: checks `X-Telegram-Bot-Api-Secret-Token` (401), drops duplicate
 * `update_id`s, acknowledges with 200 at once and processes the update in the background, so
 * Telegram never re-sends an update because a reply is slow.
 */
export function telegramWebhookRoutes(
  deps: TelegramWebhookDeps,
  options: TelegramWebhookOptions,
): FastifyPluginAsync {
  const seen = new RecentIds<number>(options.rememberUpdates ?? 10_000)
  return async (app) => {
    app.post(TELEGRAM_WEBHOOK_PATH, async (request, reply) => {
      const secret = options.secretToken
      if (
        secret === undefined ||
        !sameSecret(request.headers['x-telegram-bot-api-secret-token'], secret)
      ) {
        deps.log.warn({ ip: request.ip }, 'telegram webhook: wrong or missing secret token')
        return reply.code(401).send({ ok: false, error: 'unauthorized' })
      }
      const update = request.body as Partial<Update> | undefined
      if (typeof update?.update_id !== 'number') {
        deps.log.warn('telegram webhook: body is not an update')
        return reply.code(400).send({ ok: false, error: 'expected a Telegram update' })
      }
      if (!deps.ready()) return reply.code(503).send({ ok: false, error: 'starting' })
      if (seen.add(update.update_id)) deps.process(update as Update)
      else
        deps.log.debug({ updateId: update.update_id }, 'telegram webhook: duplicate update dropped')
      return reply.code(200).send({ ok: true })
    })
  }
}
