import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import type { Update } from 'grammy/types'
import type { Logger } from '../../src/core/ports/logger.js'

export interface TelegramWebhookDeps {
  readonly log: Logger
  /** Records the update in the inbox (a no-op for one recorded before); rejects on failure. */
  readonly record: (update: Update) => Promise<void>
  /** False until the bot knows itself (getMe); updates are refused with 503 before. */
  readonly ready: () => boolean
}

export interface TelegramWebhookOptions {
  readonly secretToken: string | undefined
}

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram'

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * `POST /webhooks/telegram`: checks `X-Telegram-Bot-Api-Secret-Token` (401), records the update
 * in the inbox (a redelivered `update_id` is recorded once) and answers 200 once it is recorded,
 * without waiting for the reply, so Telegram never re-sends an update because a reply is slow.
 * Any replica may receive it; the inbox hands it to one. When recording fails the answer is
 * 500 and Telegram delivers it again.
 */
export function telegramWebhookRoutes(
  deps: TelegramWebhookDeps,
  options: TelegramWebhookOptions,
): FastifyPluginAsync {
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
      try {
        await deps.record(update as Update)
      } catch (err) {
        deps.log.error({ err, updateId: update.update_id }, 'telegram webhook: recording failed')
        return reply.code(500).send({ ok: false, error: 'not recorded; retry' })
      }
      return reply.code(200).send({ ok: true })
    })
  }
}
