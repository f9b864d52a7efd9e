import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { type Stack, startStack } from './harness.js'

const SECRET = 'webhook-secret_0123456789'
const USER = 3003

let stack: Stack | undefined
let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  await stack?.close()
  app = undefined
  stack = undefined
})

async function webhookStack() {
  stack = await startStack({ webhook: true, webhookSecret: SECRET })
  app = Fastify()
  await app.register(stack.bot.webhookRoutes)
  await app.ready()
  return { s: stack, server: app }
}

describe('Telegram webhook mode', () => {
  it('registers the webhook with its secret token instead of polling', async () => {
    const { s } = await webhookStack()
    expect(s.telegram.webhook).toEqual({
      url: 'https://bots.example.com/webhooks/telegram',
      secretToken: SECRET,
    })
    expect(s.telegram.callsOf('getUpdates')).toHaveLength(0)
    expect(s.bot.health().status).toBe('up')
  })

  it('refuses updates without the right secret token header', async () => {
    const { s, server } = await webhookStack()
    const update = s.telegram.messageUpdate({ chatId: USER, userId: USER, text: 'hi' })
    const missing = await server.inject({
      method: 'POST',
      url: '/webhooks/telegram',
      payload: update,
    })
    const wrong = await server.inject({
      method: 'POST',
      url: '/webhooks/telegram',
      payload: update,
      headers: { 'x-telegram-bot-api-secret-token': 'nope' },
    })
    expect(missing.statusCode).toBe(401)
    expect(wrong.statusCode).toBe(401)
    expect(s.ollama.requestsTo('/api/chat')).toHaveLength(0)
  })

  it('acknowledges at once, answers in the background and drops a duplicate update', async () => {
    const { s, server } = await webhookStack()
    s.ollama.set({ reply: () => 'Webhook reply.', firstTokenDelayMs: 1_000 })
    const update = s.telegram.messageUpdate({ chatId: USER, userId: USER, text: 'hi' })
    const post = () =>
      server.inject({
        method: 'POST',
        url: '/webhooks/telegram',
        payload: update,
        headers: { 'x-telegram-bot-api-secret-token': SECRET },
      })
    const first = await post()
    expect(first.statusCode).toBe(200)
    // Acknowledged before the model produced anything.
    expect(s.telegram.botMessages(USER).some((m) => m.text === 'Webhook reply.')).toBe(false)
    const second = await post()
    expect(second.statusCode).toBe(200)

    await s.telegram.until(() =>
      s.telegram
        .botMessages(USER)
        .find((m) => m.text === 'Webhook reply.' && m.requestedParseMode === 'HTML'),
    )
    expect(s.ollama.requestsTo('/api/chat')).toHaveLength(1)
    expect(s.telegram.botMessages(USER)).toHaveLength(1)
  })

  it('rejects a body that is not an update', async () => {
    const { server } = await webhookStack()
    const res = await server.inject({
      method: 'POST',
      url: '/webhooks/telegram',
      payload: { hello: 'world' },
      headers: { 'x-telegram-bot-api-secret-token': SECRET },
    })
    expect(res.statusCode).toBe(400)
  })
})
