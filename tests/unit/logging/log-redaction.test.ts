import { describe, expect, it } from 'vitest'
import { LinkTokens } from '../../../src/billing/link-tokens.js'
import { createLogger } from '../../../src/logger.js'

const DISCORD_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB'
const PLAIN_SECRET = 'operator-chose-this-secret-value'

function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = []
  const log = createLogger({
    level: 'info',
    format: 'json',
    destination: { write: (l: string) => void lines.push(l) },
    secrets: [DISCORD_TOKEN, PLAIN_SECRET, 'short'],
  })
  return { lines, log }
}

/** What grammY throws when `sendMessage` fails: the request payload rides on the error. */
class FakeGrammyError extends Error {
  readonly payload: unknown
  constructor(payload: unknown) {
    super("Call to 'sendMessage' failed! (403: Forbidden: bot can't initiate conversation)")
    this.payload = payload
  }
}

describe('log redaction', () => {
  const links = new LinkTokens({ secret: 'x'.repeat(32) })
  const billing = links.issue('billing', 'acc_1', Date.now())
  const subscribe = links.issue('subscribe', 'acc_1', Date.now())
  const verify = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXhx'

  it('scrubs link tokens from every field of every logged object, however deep', () => {
    const { lines, log } = capture()
    const err = new FakeGrammyError({
      chat_id: 42,
      text: 'Manage your subscription',
      reply_markup: {
        inline_keyboard: [[{ text: 'Billing', url: `https://bots.example/billing/${billing}` }]],
      },
    })
    log.info({ err, component: 'telegram' }, 'telegram could not answer privately')
    log
      .child({ link: `https://bots.example/subscribe/${subscribe}` })
      .warn({ nested: { list: [{ text: `open https://x.example/verify?token=${verify}` }] } }, 'x')
    log.error(`bare token ${subscribe} and link https://bots.example/billing/${billing}?a=1`)
    log.info({ deep: { a: { b: { c: { d: { e: { f: billing } } } } } } }, 'deep')

    const all = lines.join('')
    expect(lines).toHaveLength(4)
    for (const token of [billing, subscribe, verify]) expect(all).not.toContain(token)
    expect(all).toContain('https://bots.example/billing/[redacted]')
    expect(all).toContain('/verify?token=[redacted]')
    // Still valid JSON, and the rest of the information survives.
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
    expect(JSON.parse(lines[0] ?? '{}').err.payload.chat_id).toBe(42)
  })

  it('scrubs configured secrets and token-shaped keys under any field name', () => {
    const { lines, log } = capture()
    log.info({ options: { auth: DISCORD_TOKEN, other: PLAIN_SECRET } }, `using ${PLAIN_SECRET}`)
    log.info({ headers: { 'x-api': 'sk_live_abcDEF123', hook: 'whsec_abcdef' } }, 'h')
    log.info({ url: 'https://api.telegram.org/bot123456:AAH-abcdefghijklmnop/sendMessage' }, 't')
    const all = lines.join('')
    for (const secret of [DISCORD_TOKEN, PLAIN_SECRET, 'sk_live_abcDEF123', 'whsec_abcdef']) {
      expect(all).not.toContain(secret)
    }
    expect(all).not.toContain('AAH-abcdefghijklmnop')
    // A secret under 8 characters is not used as a pattern: ordinary words stay readable.
    log.info('a short message')
    expect(lines.at(-1)).toContain('a short message')
  })

  it('leaves source paths in stack traces readable', () => {
    const { lines, log } = capture()
    const err = new Error('boom')
    err.stack = 'Error: boom\n    at x (/app/dist/src/billing/subscription-entitlements.js:12:3)'
    log.error({ err, path: '/billing/success', other: '/subscribe/cancel' }, 'failed')
    const all = lines.join('')
    expect(all).toContain('/billing/subscription-entitlements.js:12:3')
    expect(all).toContain('/billing/success')
    expect(all).toContain('/subscribe/cancel')
  })
})
