import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AccountNotifier } from '../../../src/core/notifier.js'
import type { PlatformMessenger } from '../../../src/core/ports/messenger.js'
import type { SubscriptionRecord } from '../../../src/core/ports/subscriptions.js'
import type { OutgoingNotice, Platform } from '../../../src/core/types.js'
import { silentLogger } from '../../helpers/logger.js'
import { type EmailFixture, emailFixture, tokenFrom } from './email-fixture.js'

/** A platform that records the direct messages it was asked to deliver. */
function recordingMessenger(platform: Platform) {
  const sent: { userId: string; notice: OutgoingNotice }[] = []
  const messenger: PlatformMessenger = {
    platform,
    async sendDirect(userId, notice) {
      sent.push({ userId, notice })
      return true
    },
  }
  return { messenger, sent }
}

function activeSubscription(accountId: string, now: number): SubscriptionRecord {
  return {
    accountId,
    stripeCustomerId: 'cus_tg',
    stripeSubscriptionId: 'sub_tg',
    status: 'active',
    priceId: 'price_premium',
    currentPeriodEnd: now + 30 * 24 * 60 * 60 * 1000,
    cancelAtPeriodEnd: false,
    pastDueSince: null,
    lastEventCreated: Math.floor(now / 1000),
    compUntil: null,
    updatedAt: now,
  }
}

describe('verifying the same address from Discord and Telegram', () => {
  let f: EmailFixture
  let app: FastifyInstance
  const discord = recordingMessenger('discord')
  const telegram = recordingMessenger('telegram')

  beforeEach(async () => {
    discord.sent.length = 0
    telegram.sent.length = 0
    let notifier: AccountNotifier | undefined
    f = await emailFixture({
      notifier: {
        notifyAccount: (id, notice) => notifier?.notifyAccount(id, notice) ?? Promise.resolve(),
      },
    })
    notifier = new AccountNotifier({ accounts: f.stores.accounts, log: silentLogger() })
    notifier.register(discord.messenger)
    notifier.register(telegram.messenger)
    app = Fastify()
    await app.register(f.email.routes)
    await app.ready()
  })

  afterEach(async () => {
    await app.close()
    await f.close()
  })

  /** The approve/refuse button of the latest "someone asked to link" notice on a platform. */
  function button(sent: typeof discord.sent, label: RegExp): string {
    const notice = sent.filter((n) => /Someone asked to link/.test(n.notice.text)).at(-1)
    const url = notice?.notice.links?.find((l) => label.test(l.label))?.url
    if (!url) throw new Error('no approval button')
    expect(url.startsWith('https://bots.example.com/verify/merge?token=')).toBe(true)
    return url.slice('https://bots.example.com'.length)
  }

  /** Opens a button in a browser: the page (changes nothing), then its form. */
  async function press(path: string) {
    const page = await app.inject({ method: 'GET', url: path })
    const params = new URL(path, 'http://x').searchParams
    const answer = await app.inject({
      method: 'POST',
      url: '/verify/merge',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        token: params.get('token') ?? '',
        decision: params.get('decision') ?? '',
      }).toString(),
    })
    return { page: page.body, answer }
  }

  /** The account of a platform user (created on first sight, as a message would). */
  async function accountOn(platform: 'discord' | 'telegram', userId: string, name: string) {
    return (await f.stores.accounts.resolveIdentity(platform, userId, name, f.clock.now)).account
  }

  async function verify(accountId: string, address: string) {
    const start = await f.email.verification.start(accountId, address, f.clock.now)
    expect(start.status).toBe('sent')
    await f.email.flushOutbox()
    const mail = f.smtp.messages.filter((m) => m.subject.startsWith('Confirm')).at(-1)
    if (!mail) throw new Error('no verification mail')
    return f.email.verification.confirm(tokenFrom(mail.text), f.clock.now)
  }

  it('merges the Telegram account into the Discord account that verified first, carrying the subscription', async () => {
    const onDiscord = await accountOn('discord', 'd-1', 'Ada')
    const onTelegram = await accountOn('telegram', 't-1', 'Ada T')
    await f.stores.subscriptions.upsert(activeSubscription(onTelegram.id, f.clock.now))
    await f.stores.conversations.getOrCreate(
      `account:${onTelegram.id}`,
      'luna',
      'direct',
      f.clock.now,
    )

    const first = await verify(onDiscord.id, 'ada@example.com')
    expect(first).toMatchObject({ status: 'verified', accountId: onDiscord.id, merged: false })

    const second = await verify(onTelegram.id, 'ADA@example.com')
    expect(second).toEqual({ status: 'awaiting_approval', email: 'ada@example.com' })
    // Nothing merged yet: the Discord account that verified first is asked in its own chat.
    expect(await f.stores.accounts.get(onTelegram.id)).toBeDefined()
    expect(discord.sent.at(-1)?.userId).toBe('d-1')
    expect(discord.sent.at(-1)?.notice.text).toMatch(
      /^Someone asked to link another account to yours\. Telegram user id t-1 \(shown name “Ada T”\)/,
    )
    expect(telegram.sent.at(-1)?.notice.text).toMatch(/asked that account, in its own chat/)

    const { page, answer } = await press(button(discord.sent, /Approve/))
    expect(page).toContain('Someone asked to link this account to yours')
    expect(page).toContain('<strong>Telegram</strong> account, user id <strong><code>t-1</code>')
    expect(answer.statusCode).toBe(200)
    expect(answer.body).toContain('Accounts linked')

    // One account: both identities, the subscription and the conversation moved over.
    expect(await f.stores.accounts.get(onTelegram.id)).toBeUndefined()
    const identities = await f.stores.accounts.identities(onDiscord.id)
    expect(identities.map((i) => i.platform).sort()).toEqual(['discord', 'telegram'])
    const resolved = await accountOn('telegram', 't-1', 'Ada T')
    expect(resolved.id).toBe(onDiscord.id)
    expect(await f.stores.subscriptions.get(onDiscord.id)).toMatchObject({
      status: 'active',
      stripeSubscriptionId: 'sub_tg',
    })
    const conversations = await f.stores.conversations.listByScope(`account:${onDiscord.id}`)
    expect(conversations.map((c) => c.personaId)).toEqual(['luna'])
    expect(await f.stores.accounts.get(onDiscord.id)).toMatchObject({
      email: 'ada@example.com',
      emailVerified: true,
    })

    // The person is told in chat on both platforms.
    expect(discord.sent.at(-1)?.userId).toBe('d-1')
    expect(discord.sent.at(-1)?.notice.text).toMatch(/now one account/)
    expect(telegram.sent.at(-1)?.userId).toBe('t-1')
    expect(telegram.sent.at(-1)?.notice.text).toMatch(/now one account/)
    // The button works once.
    expect((await press(button(discord.sent, /Approve/))).answer.body).toContain('already answered')
  })

  it('keeps both accounts apart when the verified account refuses (the phishing case)', async () => {
    const victim = await accountOn('discord', 'd-9', 'Vic')
    const { account: attacker } = await f.stores.accounts.resolveIdentity(
      'telegram',
      't-9',
      'Vic (support)',
      f.clock.now,
      '@eve_imitates_vic',
    )
    await f.stores.subscriptions.upsert(activeSubscription(victim.id, f.clock.now))
    await verify(victim.id, 'vic@example.com')
    // The attacker runs /verify with the victim's address; the victim clicks the mail.
    expect(await verify(attacker.id, 'vic@example.com')).toMatchObject({
      status: 'awaiting_approval',
    })

    // The victim sees who really asks: the platform's own handle and id, not only a chosen name.
    expect(discord.sent.at(-1)?.notice.text).toContain(
      'Telegram user @eve_imitates_vic, id t-9 (shown name “Vic (support)”)',
    )
    const { page, answer } = await press(button(discord.sent, /Refuse/))
    expect(page).toContain(
      '<strong>Telegram</strong> account <strong>@eve_imitates_vic</strong>, user id <strong><code>t-9</code>',
    )
    expect(answer.body).toContain('Linking refused')
    expect(await f.stores.accounts.get(attacker.id)).toBeDefined()
    expect((await f.stores.accounts.identities(victim.id)).map((i) => i.platform)).toEqual([
      'discord',
    ])
    expect(await f.stores.subscriptions.get(attacker.id)).toBeUndefined()
    expect(telegram.sent.at(-1)?.notice.text).toMatch(/did not approve linking/)
    // Approving after refusing changes nothing.
    expect((await press(button(discord.sent, /Approve/))).answer.body).toContain('already answered')
    expect(await f.stores.accounts.get(attacker.id)).toBeDefined()
  })

  it('a request nobody answers expires and merges nothing', async () => {
    const a = await accountOn('discord', 'd-8', 'Al')
    const b = await accountOn('telegram', 't-8', 'Al')
    await verify(a.id, 'al@example.com')
    await verify(b.id, 'al@example.com')
    const approve = button(discord.sent, /Approve/)
    f.clock.now += 25 * 60 * 60 * 1000
    const late = await press(approve)
    expect(late.page).toContain('expired')
    expect(late.answer.statusCode).toBe(410)
    expect(await f.stores.accounts.get(b.id)).toBeDefined()
  })

  it('verifying a fresh address (no other account) stays one click', async () => {
    const account = await accountOn('telegram', 't-7', 'Fay')
    expect(await verify(account.id, 'fay@example.com')).toMatchObject({
      status: 'verified',
      merged: false,
    })
    expect(discord.sent.filter((n) => /Someone asked/.test(n.notice.text))).toEqual([])
  })

  it('keeps the active subscription of the surviving account when the merged one has none', async () => {
    const onTelegram = await accountOn('telegram', 't-2', 'Bo')
    const onDiscord = await accountOn('discord', 'd-2', 'Bo')
    await f.stores.subscriptions.upsert(activeSubscription(onTelegram.id, f.clock.now))

    await verify(onTelegram.id, 'bo@example.com')
    expect(await verify(onDiscord.id, 'bo@example.com')).toMatchObject({
      status: 'awaiting_approval',
    })
    await press(button(telegram.sent, /Approve/))

    expect(await f.stores.subscriptions.get(onTelegram.id)).toMatchObject({ status: 'active' })
    expect(await f.stores.accounts.get(onDiscord.id)).toBeUndefined()
  })

  it('sends a welcome email that says the accounts are now one', async () => {
    const a = await accountOn('discord', 'd-3', 'Cy')
    const b = await accountOn('telegram', 't-3', 'Cy')
    await verify(a.id, 'cy@example.com')
    await verify(b.id, 'cy@example.com')
    await press(button(discord.sent, /Approve/))
    await f.email.flushOutbox()
    const welcomes = f.smtp.messages.filter((m) => m.subject === 'Welcome to JustLayMe')
    expect(welcomes).toHaveLength(2)
    expect(welcomes[1]?.text).toMatch(/Discord and Telegram accounts are now one/)
  })
})
