import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { World } from './e2e-world.js'
import { runFuzz } from './fuzz.js'

/**
 * Issue 9 §Bad input for the route that only exists in webhook mode: `POST /webhooks/telegram`
 * (TELEGRAM_WEBHOOK=true). Garbage is refused without processing; a real update is answered.
 */

const SECRET = 'e2e_webhook_secret-123'
let world: World

beforeAll(async () => {
  world = await World.start({
    env: { TELEGRAM_WEBHOOK: 'true', TELEGRAM_WEBHOOK_SECRET: SECRET },
  })
  world.ollama.set({ reply: () => 'Webhook reply END' })
})

afterAll(async () => {
  await world?.close()
})

const post = (body: string, headers: Record<string, string>) =>
  fetch(`${world.url}/webhooks/telegram`, { method: 'POST', headers, body })

describe('POST /webhooks/telegram', () => {
  it('registered the webhook with Telegram, with the secret token', () => {
    expect(world.telegram.webhook).toEqual({
      url: `${world.url}/webhooks/telegram`,
      secretToken: SECRET,
    })
  })

  it('refuses wrong secrets and non-updates, answers a real update once', async () => {
    const json = { 'content-type': 'application/json' }
    const update = world.telegram.messageUpdate({ chatId: 820_001, userId: 820_001, text: 'hi' })
    const cases: [string, Promise<Response>, number][] = [
      ['no secret', post(JSON.stringify(update), json), 401],
      [
        'wrong secret',
        post(JSON.stringify(update), { ...json, 'x-telegram-bot-api-secret-token': 'nope' }),
        401,
      ],
      [
        'not JSON',
        post('{"update_id": ', { ...json, 'x-telegram-bot-api-secret-token': SECRET }),
        400,
      ],
      [
        'not an update',
        post('{"hello": 1}', { ...json, 'x-telegram-bot-api-secret-token': SECRET }),
        400,
      ],
      ['array', post('[1,2,3]', { ...json, 'x-telegram-bot-api-secret-token': SECRET }), 400],
    ]
    for (const [name, pending, status] of cases) {
      const res = await pending
      expect(res.status, name).toBe(status)
      await res.arrayBuffer()
    }
    expect(world.telegram.botMessages(820_001)).toEqual([])

    const headers = { ...json, 'x-telegram-bot-api-secret-token': SECRET }
    expect((await post(JSON.stringify(update), headers)).status).toBe(200)
    expect((await post(JSON.stringify(update), headers)).status).toBe(200)
    await world.telegram.until(() =>
      world.telegram.botMessages(820_001).some((m) => m.text === 'Webhook reply END'),
    )
    // The redelivered update was answered once.
    const generations = world.ollama
      .requestsTo('/api/chat')
      .filter((r) => ((r.body as { messages?: unknown[] }).messages ?? []).length > 0)
    expect(generations).toHaveLength(1)
  })

  it('survives 500 random bodies with and without the secret', async () => {
    const bodies = [
      '',
      'null',
      '{}',
      '{"update_id": "1"}',
      '{"update_id": 1e309}',
      '{"update_id": 5, "message": null}',
      '{"update_id": 6, "message": {"text": 5}}',
      '{"update_id": 7, "message": {"chat": {}, "from": {}, "text": "x"}}',
      '{"update_id": 8, "callback_query": {"data": null}}',
      `{"update_id": 9, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "${'x'.repeat(100_000)}"}}`,
      '{"update_id": -1, "edited_message": {}}',
      '{"update_id": 10, "my_chat_member": {"chat": {"id": -5}}}',
    ]
    const requests = Array.from({ length: 500 }, (_, i) => ({
      method: 'POST',
      target: '/webhooks/telegram',
      headers: {
        'content-type': i % 7 === 0 ? 'text/plain' : 'application/json',
        ...(i % 3 === 0 ? {} : { 'x-telegram-bot-api-secret-token': SECRET }),
      },
      body: (bodies[i % bodies.length] as string).replace(
        '"update_id": 5',
        `"update_id": ${1_000 + i}`,
      ),
    }))
    const results = await runFuzz(requests, { baseUrl: world.url, concurrency: 8 })
    expect(results.filter((r) => r.status === 0 || r.status >= 500)).toEqual([])
    expect(world.platform.child.exitCode).toBeNull()
    expect((await world.health()).status).toBe(200)
    expect(world.platform.logs.filter((l) => l.msg === 'unhandled promise rejection')).toEqual([])
  })
})
