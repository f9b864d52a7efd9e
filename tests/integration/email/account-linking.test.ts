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
  })

  afterEach(async () => {
    await f.close()
  })

  async function verify(accountId: string, address: string) {
    const start = await f.email.verification.start(accountId, address, f.clock.now)
    expect(start.status).toBe('sent')
    await f.email.flushOutbox()
    const mail = f.smtp.messages.filter((m) => m.subject.startsWith('Confirm')).at(-1)
    if (!mail) throw new Error('no verification mail')
    return f.email.verification.confirm(tokenFrom(mail.text), f.clock.now)
  }

  it('merges the Telegram account into the Discord account that verified first, carrying the subscription', async () => {
    const { account: onDiscord } = await f.stores.accounts.resolveIdentity(
      'discord',
      'd-1',
      'Ada',
      f.clock.now,
    )
    const { account: onTelegram } = await f.stores.accounts.resolveIdentity(
      'telegram',
      't-1',
      'Ada T',
      f.clock.now,
    )
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
    expect(second).toEqual({
      status: 'verified',
      email: 'ada@example.com',
      accountId: onDiscord.id,
      merged: true,
    })

    // One account: both identities, the subscription and the conversation moved over.
    expect(await f.stores.accounts.get(onTelegram.id)).toBeUndefined()
    const identities = await f.stores.accounts.identities(onDiscord.id)
    expect(identities.map((i) => i.platform).sort()).toEqual(['discord', 'telegram'])
    const { account: resolved } = await f.stores.accounts.resolveIdentity(
      'telegram',
      't-1',
      'Ada T',
      f.clock.now,
    )
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
  })

  it('keeps the active subscription of the surviving account when the merged one has none', async () => {
    const { account: onTelegram } = await f.stores.accounts.resolveIdentity(
      'telegram',
      't-2',
      'Bo',
      f.clock.now,
    )
    const { account: onDiscord } = await f.stores.accounts.resolveIdentity(
      'discord',
      'd-2',
      'Bo',
      f.clock.now,
    )
    await f.stores.subscriptions.upsert(activeSubscription(onTelegram.id, f.clock.now))

    await verify(onTelegram.id, 'bo@example.com')
    const result = await verify(onDiscord.id, 'bo@example.com')

    expect(result).toMatchObject({ status: 'verified', accountId: onTelegram.id, merged: true })
    expect(await f.stores.subscriptions.get(onTelegram.id)).toMatchObject({ status: 'active' })
    expect(await f.stores.accounts.get(onDiscord.id)).toBeUndefined()
  })

  it('sends a welcome email that says the accounts are now one', async () => {
    const { account: a } = await f.stores.accounts.resolveIdentity(
      'discord',
      'd-3',
      'Cy',
      f.clock.now,
    )
    const { account: b } = await f.stores.accounts.resolveIdentity(
      'telegram',
      't-3',
      'Cy',
      f.clock.now,
    )
    await verify(a.id, 'cy@example.com')
    await verify(b.id, 'cy@example.com')
    await f.email.flushOutbox()
    const welcomes = f.smtp.messages.filter((m) => m.subject === 'Welcome to JustLayMe')
    expect(welcomes).toHaveLength(2)
    expect(welcomes[1]?.text).toMatch(/Discord and Telegram accounts are now one/)
  })
})
