// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright locators, not DOM nodes: innerText() is what a person sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pngWithText, v3Card } from '../../fixtures/cards/sample-cards.js'
import { TELEGRAM_ADMIN_ID, World, waitUntil } from '../e2e-world.js'
import { type HeadlessChromium, launchChromium, screenshots } from './browser.js'

/**
 * Issue 21 in the browser: the live overview while the Ollama double streams, people (search,
 * grant, block, audit), personas (upload, test chat) and usage, with screenshots of each page.
 */
let world: World
let chrome: HeadlessChromium

const replied = (texts: string[]) => texts.some((t) => t.includes('end of reply.'))

beforeAll(async () => {
  world = await World.start({
    env: { OLLAMA_CONCURRENCY: '1' },
    ollama: { tokenIntervalMs: 40 },
  })
  // About 3 s per reply: with one generation at a time, the others wait in the queue.
  world.ollama.set({
    reply: () => `${'Here is a slow answer, token by token. '.repeat(10)}end of reply.`,
  })
  chrome = await launchChromium()
  const before = world.telegramLinks(TELEGRAM_ADMIN_ID).length
  await world.telegramSay(TELEGRAM_ADMIN_ID, '/admin console')
  const link = world.telegramLinks(TELEGRAM_ADMIN_ID).slice(before).at(-1) ?? ''
  const page = await chrome.context.newPage()
  await page.goto(link)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${world.url}/console`)
  await page.close()
})

afterAll(async () => {
  await chrome?.close()
  await world?.close()
})

describe('the operator console in headless Chromium', () => {
  it('the overview shows the queue growing and draining while the Ollama double streams', async () => {
    const page = await chrome.context.newPage()
    await page.goto(`${world.url}/console`)
    const depth = page.locator('[data-live="queueDepth"]')
    // Three people at once on a host that takes one generation at a time: two wait.
    const talks = [710_001, 710_002, 710_003, 710_004].map((id) =>
      world.telegramSay(id, `hi from ${id}`, replied),
    )
    await expect
      .poll(async () => Number(await depth.innerText()), { timeout: 30_000, interval: 250 })
      .toBeGreaterThanOrEqual(1)
    const busy = Number(await depth.innerText())
    expect(busy).toBeGreaterThanOrEqual(1)
    await screenshots(page, 'overview-busy')
    await Promise.all(talks)
    await expect.poll(() => depth.innerText(), { timeout: 30_000, interval: 250 }).toBe('0')
    // The charts are drawn (canvas) with their axis labels; the component table lists Ollama.
    await expect(page.locator('#chart-queue canvas').count()).resolves.toBeGreaterThan(0)
    await expect(page.locator('#chart-wait').innerText()).resolves.toContain('premium')
    await expect(page.locator('#health-h + .scroll table').innerText()).resolves.toContain('ollama')
    // The processes table lists this platform process (one replica) by its pid.
    await expect(page.locator('#replicas-h + .scroll table').innerText()).resolves.toContain(
      String(world.platform.child.pid),
    )
    // Today's totals come from the rollups the replies just wrote.
    await page.reload()
    await expect(page.locator('.stat').first().innerText()).resolves.not.toBe('0')
    await screenshots(page, 'overview')
    await page.close()
  })

  it('granting premium from the console changes /status on Discord, and it is audited', async () => {
    const alice = world.discord.users.alice.id
    const free = await world.discordCommand(alice, 'status')
    expect(free.text).toMatch(/^Plan: free/m)
    const page = await chrome.context.newPage()
    await page.goto(`${world.url}/console/people`)
    await page.getByLabel('Find a person').fill(`discord:${alice}`)
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('link', { name: /discord:1000000000000000201/ }).click()
    await page.getByLabel('Days').fill('30')
    await page.getByRole('button', { name: 'Grant premium' }).click()
    await expect(page.locator('[role=status]').innerText()).resolves.toMatch(/^Granted 30 days/)
    await expect(page.locator('#person-tier').innerText()).resolves.toMatch(/^premium \(grant\)/)
    const premium = await world.discordCommand(alice, 'status')
    expect(premium.text).toMatch(/^Plan: premium until \d{4}-\d{2}-\d{2}/m)
    await expect(page.locator('#audit-h + .scroll table').innerText()).resolves.toContain(
      'grant premium',
    )
    await screenshots(page, 'person')

    await page.getByLabel('Days').fill('30')
    await page.getByRole('button', { name: 'Revoke days' }).click()
    await expect(page.locator('#person-tier').innerText()).resolves.toMatch(/^free/)
    await page.close()
  })

  it('a blocked person gets one polite refusal, then is ignored on Telegram and Discord', async () => {
    const telegramUser = 720_001
    const bob = world.discord.users.bob.id
    await world.telegramSay(telegramUser, 'hello', replied)
    await world.discordDm(bob, 'hello', replied)
    const page = await chrome.context.newPage()
    for (const who of [`telegram:${telegramUser}`, `discord:${bob}`]) {
      await page.goto(`${world.url}/console/people?q=${encodeURIComponent(who)}`)
      await page.getByRole('link', { name: new RegExp(who) }).click()
      await page.getByRole('button', { name: 'Block this person' }).click()
      await expect(page.locator('#person-blocked').innerText()).resolves.toBe('yes')
    }
    const refusedTg = await world.telegramSay(telegramUser, 'are you there?')
    expect(refusedTg[0]).toContain('you can no longer use this bot')
    const refusedDc = await world.discordDm(bob, 'are you there?', (t) => t.length > 0)
    expect(refusedDc[0]).toContain('you can no longer use this bot')

    const ignoredBefore = world.platform.logs.filter(
      (l) => l.msg === 'message of a blocked person ignored',
    ).length
    world.telegram.injectMessage({ chatId: telegramUser, userId: telegramUser, text: 'hello??' })
    world.discord.injectMessage({
      channelId: world.discord.dmChannelFor(bob),
      author: { id: bob, username: 'bob' },
      content: 'hello??',
    })
    await waitUntil(
      () =>
        world.platform.logs.filter((l) => l.msg === 'message of a blocked person ignored').length >=
        ignoredBefore + 2,
      30_000,
    )
    expect(
      world.telegram
        .botMessages(telegramUser)
        .map((m) => m.text)
        .filter((t) => t.includes('no longer')),
    ).toHaveLength(1)

    const stats = await world.telegramSay(TELEGRAM_ADMIN_ID, '/admin stats')
    expect(stats[0]).toContain(`telegram:${telegramUser}`)
    expect(stats[0]).toContain(`discord:${bob}`)
    await page.goto(`${world.url}/console/people`)
    await expect(page.locator('#audit-h + .scroll table').innerText()).resolves.toContain('block')
    await screenshots(page, 'people')
    await page.close()
  })

  it('a card PNG uploaded through the form appears in /personas on Telegram', async () => {
    const page = await chrome.context.newPage()
    await page.goto(`${world.url}/console/personas`)
    const card = pngWithText({
      ccv3: Buffer.from(JSON.stringify(v3Card('Marigold'))).toString('base64'),
    })
    await page
      .getByLabel(/Character Card/)
      .setInputFiles({ name: 'marigold.png', mimeType: 'image/png', buffer: card })
    await page.getByRole('button', { name: 'Upload' }).click()
    await expect(page.locator('[role=status]').innerText()).resolves.toContain(
      "Added marigold.png as persona 'marigold'",
    )
    await expect(page.locator('#persona-list').innerText()).resolves.toContain('Marigold')
    const listed = await world.telegramSay(700_900, '/personas')
    expect(listed.join('\n')).toContain('Marigold')

    // A broken file is refused with the loader's own words and nothing is written.
    await page.getByLabel(/Character Card/).setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"spec":'),
    })
    await page.getByRole('button', { name: 'Upload' }).click()
    await expect(page.locator('[role=status]').innerText()).resolves.toContain(
      'broken.json was not added',
    )
    await screenshots(page, 'personas')
    await page.close()
  })

  it('the browser test chat streams a reply from the same core', async () => {
    world.ollama.set({ reply: () => `${'Console says hello, slowly. '.repeat(8)}end of reply.` })
    const page = await chrome.context.newPage()
    await page.goto(`${world.url}/console/personas`)
    await page.getByLabel('Persona').selectOption('marigold')
    await page.getByLabel('Message').fill('Are you there?')
    await page.getByRole('button', { name: 'Send' }).click()
    // Part of the reply shows before the end arrives: it streams.
    const out = page.locator('#chat-out')
    const seen: string[] = []
    await expect
      .poll(
        async () => {
          const text = await out.innerText()
          seen.push(text)
          return text.includes('end of reply.')
        },
        { timeout: 30_000, interval: 50 },
      )
      .toBe(true)
    expect(seen.some((t) => t.length > 0 && !t.includes('end of reply.'))).toBe(true)
    await expect(page.locator('#chat-out').innerText()).resolves.toBe(
      `${'Console says hello, slowly. '.repeat(8)}end of reply.`,
    )
    const [row] = world.query<{ n: number }>(
      "select count(*) as n from identity where platform = 'console' and platform_user_id = 'web-console'",
    )
    expect(row?.n).toBe(1)
    await page.close()
  })

  it('the usage page draws charts with units and lists the most used personas', async () => {
    const page = await chrome.context.newPage()
    await page.goto(`${world.url}/console/usage`)
    await expect(page.locator('#chart-messages canvas').count()).resolves.toBeGreaterThan(0)
    await expect(page.locator('#chart-messages').innerText()).resolves.toContain('telegram')
    await expect(page.locator('main').innerText()).resolves.toContain('The 10 most used personas')
    await screenshots(page, 'usage')
    await page.close()
  })
})
