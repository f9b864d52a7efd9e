import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LinkTokens } from '../../../src/billing/link-tokens.js'
import { TELEGRAM_ADMIN_ID, World } from '../e2e-world.js'
import { type HeadlessChromium, launchChromium, screenshots } from './browser.js'

/**
 * Issue 21, access: the sign-in link from the Telegram double, the cookie, sign out, revoke,
 * and every refusal (expired or reused link, no session, forged cross-site POST).
 */
let world: World
let chrome: HeadlessChromium

const askLink = async (): Promise<string> => {
  const before = world.telegramLinks(TELEGRAM_ADMIN_ID).length
  await world.telegramSay(TELEGRAM_ADMIN_ID, '/admin console')
  const link = world.telegramLinks(TELEGRAM_ADMIN_ID).slice(before).at(-1)
  if (!link) throw new Error('no sign-in link in the reply')
  return link
}

beforeAll(async () => {
  world = await World.start()
  chrome = await launchChromium()
})

afterAll(async () => {
  await chrome?.close()
  await world?.close()
})

describe('signing in to the operator console', () => {
  it('without a session shows only the ask-the-bot page', async () => {
    const page = await chrome.context.newPage()
    const res = await page.goto(`${world.url}/console`)
    expect(res?.status()).toBe(401)
    await expect(page.locator('main').innerText()).resolves.toContain('/admin console')
    await expect(page.locator('nav').count()).resolves.toBe(0)
    await screenshots(page, 'signed-out')
    const people = await fetch(`${world.url}/console/people?q=x`)
    expect(people.status).toBe(401)
    await page.close()
  })

  it('a link from Telegram signs in once and sets a strict HttpOnly cookie', async () => {
    const link = await askLink()
    expect(link.startsWith(`${world.url}/console/signin?token=`)).toBe(true)
    const page = await chrome.context.newPage()
    await page.goto(link)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${world.url}/console`)
    await expect(page.locator('h1').innerText()).resolves.toBe('Overview')
    const [cookie] = await chrome.context.cookies(`${world.url}/console`)
    expect(cookie?.name).toBe('jlm_console')
    expect(cookie?.httpOnly).toBe(true)
    expect(cookie?.sameSite).toBe('Strict')
    expect(cookie?.secure).toBe(false)
    // About 12 hours (CONSOLE_SESSION_HOURS default).
    expect((cookie?.expires ?? 0) - Date.now() / 1000).toBeGreaterThan(11 * 3600)
    // The raw session id is never stored.
    const stored = world.query<{ id_hash: string }>('select id_hash from console_session')
    expect(stored.map((s) => s.id_hash)).not.toContain(cookie?.value)

    // Reused: the link works once.
    const again = await chrome.context.newPage()
    await again.goto(link)
    const reuse = await fetch(`${world.url}/console/signin`, {
      method: 'POST',
      headers: { origin: world.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: new URL(link).searchParams.get('token') ?? '',
      }).toString(),
      redirect: 'manual',
    })
    expect(reuse.status).toBe(410)
    await expect(reuse.text()).resolves.toContain('already used')
    await again.close()
    await page.close()
  })

  it('refuses an expired link and a link signed with another key', async () => {
    const [secret] = world.query<{ value: string }>(
      "select value from kv where key = 'link_secret'",
    )
    const tokens = new LinkTokens({ secret: secret?.value ?? '', ttlMs: 10 * 60_000 })
    const expired = tokens.issue(
      'console',
      `telegram:${TELEGRAM_ADMIN_ID}`,
      Date.now() - 11 * 60_000,
    )
    const res = await fetch(`${world.url}/console/signin?token=${expired}`)
    expect(res.status).toBe(410)
    await expect(res.text()).resolves.toContain('expired')
    const forged = new LinkTokens({ secret: 'not the secret' }).issue(
      'console',
      `telegram:${TELEGRAM_ADMIN_ID}`,
      Date.now(),
    )
    expect((await fetch(`${world.url}/console/signin?token=${forged}`)).status).toBe(400)
    // A valid link for someone not in ADMINS.
    const stranger = tokens.issue('console', 'telegram:12345', Date.now())
    const post = await fetch(`${world.url}/console/signin`, {
      method: 'POST',
      headers: { origin: world.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: stranger }).toString(),
    })
    expect(post.status).toBe(403)
  })

  it('refuses a forged cross-site POST and signs out; /admin console revoke ends all sessions', async () => {
    const [cookie] = await chrome.context.cookies(`${world.url}/console`)
    const session = `jlm_console=${cookie?.value}`
    const [someone] = world.query<{ account_id: string }>(
      "select account_id from identity where platform = 'telegram' limit 1",
    )
    const target = `${world.url}/console/people/${someone?.account_id}/block`
    const forged = await fetch(target, {
      method: 'POST',
      headers: {
        cookie: session,
        origin: 'http://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'action=block',
      redirect: 'manual',
    })
    expect(forged.status).toBe(403)
    const noToken = await fetch(target, {
      method: 'POST',
      headers: {
        cookie: session,
        origin: world.url,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'action=block',
      redirect: 'manual',
    })
    expect(noToken.status).toBe(403)
    expect(world.query('select * from account_block')).toHaveLength(0)

    // Sign out from the page.
    const page = await chrome.context.newPage()
    await page.goto(`${world.url}/console`)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${world.url}/console`)
    await expect(page.locator('main').innerText()).resolves.toContain('/admin console')
    expect((await fetch(`${world.url}/console`, { headers: { cookie: session } })).status).toBe(401)

    // Two new sessions, then revoke from chat.
    for (let i = 0; i < 2; i++) {
      await page.goto(await askLink())
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL(`${world.url}/console`)
    }
    const answer = await world.telegramSay(TELEGRAM_ADMIN_ID, '/admin console revoke')
    expect(answer[0]).toMatch(/^Ended 2 console sessions\./)
    await page.reload()
    await expect(page.locator('main').innerText()).resolves.toContain('/admin console')
    await page.close()
  })
})
