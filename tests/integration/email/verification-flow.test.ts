import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type EmailFixture, emailFixture, PUBLIC_URL, tokenFrom } from './email-fixture.js'

const DAY = 24 * 60 * 60 * 1000

describe('email verification over HTTP', () => {
  let f: EmailFixture
  let app: FastifyInstance
  let accountId: string

  beforeEach(async () => {
    f = await emailFixture()
    app = Fastify()
    await app.register(f.email.routes)
    await app.ready()
    const { account } = await f.stores.accounts.resolveIdentity(
      'discord',
      '111',
      'Ada',
      f.clock.now,
    )
    accountId = account.id
  })

  afterEach(async () => {
    await app.close()
    await f.close()
  })

  async function requestLink(address = 'Ada@Example.com'): Promise<string> {
    const result = await f.email.verification.start(accountId, address, f.clock.now)
    expect(result).toEqual({ status: 'sent', email: 'ada@example.com' })
    await f.email.flushOutbox()
    const mail = f.smtp.messages.at(-1)
    if (!mail) throw new Error('no mail')
    return tokenFrom(mail.text)
  }

  const post = (token: string) =>
    app.inject({
      method: 'POST',
      url: '/verify',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${encodeURIComponent(token)}`,
    })

  it('emails a link to PUBLIC_URL/verify and stores only the token hash', async () => {
    const token = await requestLink()
    const mail = f.smtp.messages[0]
    expect(mail?.envelopeTo).toEqual(['ada@example.com'])
    expect(mail?.from).toMatch(/^"?JustLayMe"? <bot@justlay\.me>$/)
    expect(mail?.text).toContain(`${PUBLIC_URL}/verify?token=${token}`)
    expect(mail?.html).toContain(`${PUBLIC_URL}/verify?token=${token}`)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const { createHash } = await import('node:crypto')
    const hash = createHash('sha256').update(token).digest('hex')
    const stored = await f.stores.emailTokens.find(hash)
    expect(stored).toMatchObject({ accountId, email: 'ada@example.com', usedAt: null })
    expect(stored?.expiresAt).toBe(f.clock.now + DAY)
    expect(await f.stores.emailTokens.find(token)).toBeUndefined()
  })

  it('shows a confirm form on GET and consumes nothing, however often it is opened', async () => {
    const token = await requestLink()
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({ method: 'GET', url: `/verify?token=${token}` })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toContain('text/html')
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.body).toContain('<form method="post"')
      expect(res.body).toContain(`value="${token}"`)
      // Platform and the platform's own user id, which a requester cannot choose or fake.
      expect(res.body).toContain(
        '<strong>Discord</strong> account, user id <strong><code>111</code></strong>',
      )
      expect(res.body).toContain('shown name “Ada”')
    }
    const account = await f.stores.accounts.get(accountId)
    expect(account?.emailVerified).toBe(false)
    expect(await f.email.verification.inspect(token, f.clock.now)).toMatchObject({
      status: 'valid',
    })
  })

  it('verifies the address on POST and sends a welcome email', async () => {
    const token = await requestLink()
    const res = await post(token)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('Email verified')
    const account = await f.stores.accounts.get(accountId)
    expect(account).toMatchObject({ email: 'ada@example.com', emailVerified: true })
    await f.email.flushOutbox()
    expect(f.smtp.messages.map((m) => m.subject)).toEqual([
      'Confirm your email for JustLayMe',
      'Welcome to JustLayMe',
    ])
  })

  it('refuses a second POST of the same token with a used-link page', async () => {
    const token = await requestLink()
    expect((await post(token)).statusCode).toBe(200)
    const again = await post(token)
    expect(again.statusCode).toBe(410)
    expect(again.body).toContain('Link already used')
    const get = await app.inject({ method: 'GET', url: `/verify?token=${token}` })
    expect(get.statusCode).toBe(410)
    expect(get.body).toContain('Link already used')
  })

  it('refuses an expired token on GET and POST and leaves the account unverified', async () => {
    const token = await requestLink()
    f.clock.now += DAY + 1
    const get = await app.inject({ method: 'GET', url: `/verify?token=${token}` })
    expect(get.statusCode).toBe(410)
    expect(get.body).toContain('Link expired')
    const res = await post(token)
    expect(res.statusCode).toBe(410)
    expect(res.body).toContain('Link expired')
    expect((await f.stores.accounts.get(accountId))?.emailVerified).toBe(false)
  })

  it('answers an unknown or malformed token with a not-recognised page', async () => {
    await requestLink()
    const forged = 'A'.repeat(43)
    for (const res of [
      await app.inject({ method: 'GET', url: `/verify?token=${forged}` }),
      await post(forged),
      await post('<script>alert(1)</script>'),
    ]) {
      expect(res.statusCode).toBe(404)
      expect(res.body).toContain('Link not recognised')
      expect(res.body).not.toContain('<script>alert')
    }
  })

  it('explains a link without a token instead of failing', async () => {
    const get = await app.inject({ method: 'GET', url: '/verify' })
    expect(get.statusCode).toBe(400)
    expect(get.body).toContain('Link incomplete')
    const res = await app.inject({ method: 'POST', url: '/verify', payload: {} })
    expect(res.statusCode).toBe(400)
    const many = await app.inject({ method: 'GET', url: '/verify?token=a&token=b' })
    expect(many.statusCode).toBe(400)
  })

  it('says already verified when the account asks again for its own verified address', async () => {
    await post(await requestLink())
    const again = await f.email.verification.start(accountId, 'ada@example.com', f.clock.now)
    expect(again).toEqual({ status: 'already_verified', email: 'ada@example.com' })
  })
})

describe('email verification route rate limit', () => {
  it('answers too many requests from one client with a 429 page', async () => {
    const f = await emailFixture({ options: { routeRateLimitMax: 2 } })
    const app = Fastify()
    try {
      await app.register(f.email.routes)
      const codes: number[] = []
      for (let i = 0; i < 3; i++) {
        codes.push(
          (await app.inject({ method: 'GET', url: `/verify?token=${'B'.repeat(43)}` })).statusCode,
        )
      }
      expect(codes).toEqual([404, 404, 429])
      const limited = await app.inject({ method: 'GET', url: '/verify?token=x' })
      expect(limited.body).toContain('Too many attempts')
      expect(limited.headers['retry-after']).toBeDefined()
    } finally {
      await app.close()
      await f.close()
    }
  })
})

describe('email verification inside the real server', () => {
  it('serves the pages with the server’s security headers and its own form body parser', async () => {
    const { createServer } = await import('../../../src/server/app.js')
    const { pino } = await import('pino')
    const f = await emailFixture()
    const app = await createServer({
      log: pino({ level: 'silent' }),
      health: async () => [f.email.health()],
      registry: f.registry,
      plugins: [{ plugin: f.email.routes }],
    })
    try {
      const { account } = await f.stores.accounts.resolveIdentity(
        'telegram',
        '7',
        'Bo',
        f.clock.now,
      )
      await f.email.verification.start(account.id, 'bo@example.com', f.clock.now)
      await f.email.flushOutbox()
      const token = tokenFrom(f.smtp.messages[0]?.text ?? '')
      const get = await app.inject({ method: 'GET', url: `/verify?token=${token}` })
      expect(get.statusCode).toBe(200)
      expect(get.headers['content-security-policy']).toContain("form-action 'self'")
      const post = await app.inject({
        method: 'POST',
        url: '/verify',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${token}`,
      })
      expect(post.statusCode).toBe(200)
      expect((await f.stores.accounts.get(account.id))?.emailVerified).toBe(true)
    } finally {
      await app.close()
      await f.close()
    }
  })
})
