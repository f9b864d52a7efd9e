import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DoubleChatRequest } from '../doubles/ollama-double.js'
import { World, waitUntil } from './e2e-world.js'

/**
 * The journeys of issue 9, against the compiled platform spawned as `npm start` runs it, with
 * every outside service replaced by its local double. Everything happens through the doubles:
 * Telegram and Discord updates, the SMTP inbox, Stripe's API and signed webhooks.
 */

let world: World

const lastUserText = (r: DoubleChatRequest) =>
  r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''

beforeAll(async () => {
  world = await World.start({
    env: { FREE_DAILY_MESSAGES: '3' },
    ollama: { tokenIntervalMs: 25 },
  })
  world.ollama.set({ reply: (r) => `You said "${lastUserText(r)}". That is all, end of reply.` })
})

afterAll(async () => {
  await world?.close()
})

const replied = (needle: string) => (texts: string[]) =>
  texts.some((t) => t.includes(needle) && t.includes('end of reply.'))

describe('one person on Telegram and Discord: chat, verify, subscribe, merge, cancel', () => {
  it('goes from a first chat to premium on both platforms and back to free', async () => {
    const telegramUser = 610_001
    const email = 'ann@example.com'
    const discordUser = world.discord.users.alice.id
    const discordDm = world.discord.dmChannelFor(discordUser)

    // 1. A streamed reply on Telegram: one message, edited as tokens arrive.
    const first = await world.telegramSay(telegramUser, 'hello Ilse', replied('hello Ilse'))
    expect(first).toHaveLength(1)
    expect(first[0]).toBe('You said "hello Ilse". That is all, end of reply.')
    const edits = world.telegram
      .callsOf('editMessageText')
      .filter((c) => Number(c.body.chat_id) === telegramUser && !c.error)
    expect(edits.length).toBeGreaterThanOrEqual(1)

    // /verify → the emailed link → confirmation page (GET changes nothing) → POST confirms.
    const asked = await world.telegramSay(telegramUser, `/verify ${email}`)
    expect(asked[0]).toContain(`I sent a link to ${email}`)
    const link = await world.verificationLink(email)
    expect(link.startsWith(`${world.url}/verify?token=`)).toBe(true)
    const confirmed = await world.confirmEmail(link)
    expect(confirmed).toContain(email)
    expect(confirmed).toContain('Verify the same address from the other platform')
    await world.telegram.until(() =>
      world.telegram.botMessages(telegramUser).some((m) => m.text.includes(`${email} is verified`)),
    )

    // /subscribe → personal link → 303 to the Stripe double → pay → signed webhooks.
    await world.telegramSay(telegramUser, '/subscribe')
    const subscribeLink = world.telegramLinks(telegramUser).at(-1) ?? ''
    expect(subscribeLink.startsWith(`${world.url}/subscribe/`)).toBe(true)
    const sessionId = await world.openSubscribeLink(subscribeLink)
    const session = world.stripe.sessions.get(sessionId)
    expect(world.stripe.customers.get(String(session?.customer))?.email).toBe(email)
    const paid = await world.pay(sessionId)

    // Told in chat that premium is active; /status agrees.
    await world.telegram.until(() =>
      world.telegram
        .botMessages(telegramUser)
        .some((m) => /^Premium is active until \d{4}-\d{2}-\d{2}/.test(m.text)),
    )
    const status = await world.telegramSay(telegramUser, '/status')
    expect(status[0]).toMatch(/^Plan: premium until \d{4}-\d{2}-\d{2}/m)
    expect(status[0]).toContain(`Email: ${email} (verified)`)

    // 2. The same person on Discord: a DM before linking, then /verify with the same address.
    const before = await world.discordDm(
      discordUser,
      'remember the word pineapple',
      replied('pineapple'),
    )
    expect(before.at(-1)).toContain('You said "remember the word pineapple"')
    const freeOnDiscord = await world.discordCommand(discordUser, 'status')
    expect(freeOnDiscord.text).toMatch(/^Plan: free/m)

    const verify = await world.discordCommand(discordUser, 'verify', [
      { name: 'email', type: 3, value: email },
    ])
    expect(verify.text).toContain(`I sent a link to ${email}`)
    const secondLink = await world.verificationLink(email, 1)
    const waiting = await world.confirmEmail(secondLink)
    expect(waiting).toContain('Waiting for approval')
    expect(world.query('select count(*) n from account')[0]).toEqual({ n: 2 })
    // The account that verified first (Telegram) is asked in its own chat, with buttons.
    const asking = await world.telegram.until(() =>
      world.telegram
        .botMessages(telegramUser)
        .find((m) => m.text.startsWith('Someone asked to link another account to yours')),
    )
    // The Discord username (the platform's handle) and id, which the asker cannot choose.
    expect(asking.text).toContain(`Discord user user${discordUser.slice(-4)}, id ${discordUser}`)
    const approve = world.telegramLinks(telegramUser).find((u) => u.includes('decision=approve'))
    const merged = await world.decideMerge(approve ?? '')
    expect(merged).toContain('Accounts linked')
    expect(world.query('select count(*) n from account')[0]).toEqual({ n: 1 })
    expect(
      world.query<{ platform: string }>('select platform from identity order by platform'),
    ).toEqual([{ platform: 'discord' }, { platform: 'telegram' }])

    const premiumOnDiscord = await world.discordCommand(discordUser, 'status')
    expect(premiumOnDiscord.text).toMatch(/^Plan: premium until/m)
    expect(premiumOnDiscord.text).toContain(`Email: ${email} (verified)`)

    // The DM history continues: the model sees the pre-merge exchange.
    await world.discordDm(discordUser, 'what word did I give you?', replied('what word'))
    const lastChat = world.ollama.requestsTo('/api/chat').at(-1)?.body as DoubleChatRequest
    const history = lastChat.messages.map((m) => m.content).join('\n')
    expect(history).toContain('remember the word pineapple')
    expect(history).toContain('You said "remember the word pineapple"')

    // 4. Cancel through the portal: /billing → link → 303 to the portal, then Stripe's webhooks.
    await world.telegramSay(telegramUser, '/billing')
    const billingLink = world.telegramLinks(telegramUser).at(-1) ?? ''
    expect(billingLink.startsWith(`${world.url}/billing/`)).toBe(true)
    const portal = await fetch(billingLink, { redirect: 'manual' })
    expect(portal.status).toBe(303)
    expect(portal.headers.get('location')).toMatch(new RegExp(`^${world.stripe.url}/portal/`))

    const mailsBefore = world.smtp.messages.length
    world.stripe.updateSubscription(paid.subscriptionId, { cancel_at_period_end: true })
    expect(
      (await world.webhook(world.stripe.subscriptionEvent('updated', paid.subscriptionId))).status,
    ).toBe(200)
    world.stripe.cancelSubscription(paid.subscriptionId)
    const deleted = world.stripe.subscriptionEvent('deleted', paid.subscriptionId)
    expect((await world.webhook(deleted)).status).toBe(200)

    // The chat notice on both platforms and the email.
    await world.telegram.until(() =>
      world.telegram.botMessages(telegramUser).some((m) => /ended/i.test(m.text)),
    )
    await world.discord.waitFor(
      () => world.discord.channelMessages(discordDm).some((m) => /ended/i.test(m.content)),
      20_000,
    )
    const endedMail = await waitUntil(
      () =>
        world.smtp.messages
          .slice(mailsBefore)
          .find(
            (m) => m.envelopeTo.includes(email) && /ended|cancel/i.test(`${m.subject} ${m.text}`),
          ),
      30_000,
      'premium-ended email',
    )
    expect(endedMail.subject.length).toBeGreaterThan(0)

    expect((await world.telegramSay(telegramUser, '/status'))[0]).toMatch(/^Plan: free/m)
    expect((await world.discordCommand(discordUser, 'status')).text).toMatch(/^Plan: free/m)

    // Replaying the deletion changes nothing.
    expect((await world.webhook(deleted)).body).toMatchObject({ outcome: 'duplicate' })
    expect(world.errors()).toEqual([])
  })
})

describe('daily quota', () => {
  it('stops a free user at the daily limit with the quota message, and subscribing lifts it', async () => {
    const user = 610_002
    for (const n of [1, 2, 3]) {
      const answer = await world.telegramSay(user, `message ${n}`, replied(`message ${n}`))
      expect(answer.at(-1)).toContain(`You said "message ${n}"`)
    }
    const refused = await world.telegramSay(user, 'message 4')
    expect(refused[0]).toMatch(
      /^You've used all 3 messages for today\. Your quota resets in .+\/subscribe/,
    )
    const chats = world.ollama.requestsTo('/api/chat').length

    await world.telegramSay(user, '/subscribe')
    const link = world.telegramLinks(user).at(-1) ?? ''
    await world.pay(await world.openSubscribeLink(link))
    await world.telegram.until(() =>
      world.telegram.botMessages(user).some((m) => m.text.startsWith('Premium is active')),
    )
    expect(world.ollama.requestsTo('/api/chat')).toHaveLength(chats)

    const lifted = await world.telegramSay(user, 'message 5', replied('message 5'))
    expect(lifted.at(-1)).toContain('You said "message 5"')
    const status = await world.telegramSay(user, '/status')
    expect(status[0]).toMatch(/^Plan: premium/m)
    expect(status[0]).toMatch(/Messages left today: \d+ of 1000/)
  })
})
