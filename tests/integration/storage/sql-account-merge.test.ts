import { describe, expect, it } from 'vitest'
import type { SubscriptionRecord } from '../../../src/core/ports/subscriptions.js'
import { mergeSubscriptionRecords } from '../../../src/storage/sql-account-merge.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

const NO_SUBSCRIPTION: Omit<SubscriptionRecord, 'accountId'> = {
  stripeCustomerId: null,
  stripeSubscriptionId: null,
  status: null,
  priceId: null,
  currentPeriodEnd: null,
  cancelAtPeriodEnd: false,
  pastDueSince: null,
  lastEventCreated: null,
  compUntil: null,
  updatedAt: 1,
}

describe.each(TEST_DIALECTS)('SqlAccountStore.merge on %s', (dialect) => {
  const t = useStores(dialect)

  /** A Discord account (`into`) and a Telegram account (`from`) of the same person. */
  const twoAccounts = async () => {
    const into = (await t.stores.accounts.resolveIdentity('discord', 'd', 'Ann', 1_000)).account
    const from = (await t.stores.accounts.resolveIdentity('telegram', 't', 'Ann', 2_000)).account
    return { into: into.id, from: from.id }
  }

  const merge = (from: string, into: string) =>
    t.stores.transaction((s) => s.accounts.merge(from, into, 10_000))

  it('moves identities and deletes the emptied account', async () => {
    const { into, from } = await twoAccounts()
    await merge(from, into)
    expect(await t.stores.accounts.get(from)).toBeUndefined()
    expect((await t.stores.accounts.identities(into)).map((i) => i.platform)).toEqual([
      'discord',
      'telegram',
    ])
    const again = await t.stores.accounts.resolveIdentity('telegram', 't', 'Ann', 11_000)
    expect(again).toMatchObject({ created: false, account: { id: into } })
  })

  it('moves conversations and joins messages of the same persona', async () => {
    const { into, from } = await twoAccounts()
    const c = t.stores.conversations
    const intoLuna = (await c.getOrCreate(`account:${into}`, 'luna', 'direct', 1)).conversation
    const fromLuna = (await c.getOrCreate(`account:${from}`, 'luna', 'direct', 1)).conversation
    const fromMax = (await c.getOrCreate(`account:${from}`, 'max', 'direct', 1)).conversation
    const say = (conversationId: string, content: string, accountId: string) =>
      c.append({
        conversationId,
        role: 'user',
        content,
        status: 'complete',
        accountId,
        createdAt: 1,
      })
    await say(intoLuna.id, 'i1', into)
    await say(fromLuna.id, 'f1', from)
    await say(intoLuna.id, 'i2', into)
    await say(fromMax.id, 'max', from)
    await c.setSummary(intoLuna.id, 'old summary', 1, 2)

    await merge(from, into)

    const scopes = await c.listByScope(`account:${into}`)
    expect(scopes.map((s) => s.personaId).sort()).toEqual(['luna', 'max'])
    expect(await c.listByScope(`account:${from}`)).toEqual([])
    expect(await c.get(fromLuna.id)).toBeUndefined()
    const luna = await c.recent(intoLuna.id, 10)
    expect(luna.map((m) => m.content)).toEqual(['i1', 'f1', 'i2'])
    expect(new Set(luna.map((m) => m.accountId))).toEqual(new Set([into]))
    expect(await c.get(intoLuna.id)).toMatchObject({ summary: null, summaryUpTo: null })
    expect((await c.recent(fromMax.id, 10)).map((m) => m.content)).toEqual(['max'])
  })

  it("keeps into's chat settings when both have them, else moves from's", async () => {
    const { into, from } = await twoAccounts()
    await t.stores.chatSettings.update(`account:${from}`, { personaId: 'max' }, 1)
    await merge(from, into)
    expect((await t.stores.chatSettings.get(`account:${into}`)).personaId).toBe('max')

    const other = (await t.stores.accounts.resolveIdentity('discord', 'x', 'X', 1)).account.id
    await t.stores.chatSettings.update(`account:${other}`, { personaId: 'luna' }, 1)
    await merge(other, into)
    expect((await t.stores.chatSettings.get(`account:${into}`)).personaId).toBe('max')
    expect((await t.stores.chatSettings.get(`account:${other}`)).personaId).toBeNull()
  })

  it('sums usage per day', async () => {
    const { into, from } = await twoAccounts()
    await t.stores.usage.add(into, '2026-11-25', { messages: 1, promptTokens: 10 })
    await t.stores.usage.add(from, '2026-11-25', { messages: 2, completionTokens: 5 })
    await t.stores.usage.add(from, '2026-11-26', { messages: 4 })
    await merge(from, into)
    expect(await t.stores.usage.get(into, '2026-11-25')).toEqual({
      messages: 3,
      promptTokens: 10,
      completionTokens: 5,
    })
    expect((await t.stores.usage.get(into, '2026-11-26')).messages).toBe(4)
    expect((await t.stores.usage.get(from, '2026-11-25')).messages).toBe(0)
  })

  it("moves from's subscription when into has none", async () => {
    const { into, from } = await twoAccounts()
    await t.stores.subscriptions.upsert({
      ...NO_SUBSCRIPTION,
      accountId: from,
      stripeCustomerId: 'cus_1',
      stripeSubscriptionId: 'sub_1',
      status: 'active',
    })
    await merge(from, into)
    expect(await t.stores.subscriptions.findBySubscription('sub_1')).toMatchObject({
      accountId: into,
      status: 'active',
    })
    expect(await t.stores.subscriptions.get(from)).toBeUndefined()
  })

  it("keeps the entitled subscription and into's missing Stripe ids", async () => {
    const { into, from } = await twoAccounts()
    await t.stores.subscriptions.upsert({
      ...NO_SUBSCRIPTION,
      accountId: into,
      compUntil: 50_000,
      updatedAt: 9_000,
    })
    await t.stores.subscriptions.upsert({
      ...NO_SUBSCRIPTION,
      accountId: from,
      stripeCustomerId: 'cus_f',
      stripeSubscriptionId: 'sub_f',
      status: 'active',
      priceId: 'price_1',
      currentPeriodEnd: 99_000,
    })
    await merge(from, into)
    expect(await t.stores.subscriptions.get(into)).toEqual({
      ...NO_SUBSCRIPTION,
      accountId: into,
      stripeCustomerId: 'cus_f',
      stripeSubscriptionId: 'sub_f',
      status: 'active',
      priceId: 'price_1',
      currentPeriodEnd: 99_000,
      compUntil: 50_000,
      updatedAt: 10_000,
    })
    expect(await t.stores.subscriptions.findByCustomer('cus_f')).toMatchObject({ accountId: into })
  })

  it('moves email tokens and takes the verified email and adult flag', async () => {
    const { into, from } = await twoAccounts()
    await t.stores.accounts.setEmailVerified(from, 'ann@example.com', 3_000)
    await t.stores.accounts.setAdultConfirmed(from, true, 3_000)
    await t.stores.emailTokens.insert({
      tokenHash: 'h1',
      accountId: from,
      email: 'ann@example.com',
      expiresAt: 99_000,
      usedAt: null,
      createdAt: 3_000,
    })
    await merge(from, into)
    expect(await t.stores.accounts.get(into)).toEqual({
      id: into,
      email: 'ann@example.com',
      emailVerified: true,
      adultConfirmed: true,
      createdAt: 1_000,
    })
    expect((await t.stores.emailTokens.find('h1'))?.accountId).toBe(into)
    expect(await t.stores.emailTokens.countSince({ accountId: into }, 0)).toBe(1)
  })

  it("keeps into's own verified email", async () => {
    const { into, from } = await twoAccounts()
    await t.stores.accounts.setEmailVerified(into, 'into@example.com', 3_000)
    await t.stores.accounts.setEmailVerified(from, 'from@example.com', 3_000)
    await merge(from, into)
    expect((await t.stores.accounts.get(into))?.email).toBe('into@example.com')
    expect(await t.stores.accounts.findByEmail('from@example.com')).toBeUndefined()
  })

  it('leaves a redirect: the merged-away id resolves to the survivor, through later merges too', async () => {
    const { into, from } = await twoAccounts()
    const third = (await t.stores.accounts.resolveIdentity('console', 'c', 'Ann', 3_000)).account
    expect(await t.stores.accounts.survivorOf(from)).toBe(from)
    await merge(from, into)
    expect(await t.stores.accounts.survivorOf(from)).toBe(into)
    await merge(into, third.id)
    expect(await t.stores.accounts.survivorOf(from)).toBe(third.id)
    expect(await t.stores.accounts.survivorOf(into)).toBe(third.id)
    expect(await t.stores.accounts.survivorOf('no-such-account')).toBeUndefined()
  })

  it('does nothing when merging an account into itself', async () => {
    const { into } = await twoAccounts()
    await merge(into, into)
    expect(await t.stores.accounts.identities(into)).toHaveLength(1)
  })

  it('opens its own transaction when called outside one', async () => {
    const { into, from } = await twoAccounts()
    await t.stores.accounts.merge(from, into, 10_000)
    expect(await t.stores.accounts.get(from)).toBeUndefined()
  })

  it('changes nothing when an account is missing', async () => {
    const { into } = await twoAccounts()
    await expect(merge('missing', into)).rejects.toThrow(/missing/)
    expect(await t.stores.accounts.identities(into)).toHaveLength(1)
  })

  it('rolls the whole merge back when the caller fails after it', async () => {
    const { into, from } = await twoAccounts()
    await expect(
      t.stores.transaction(async (s) => {
        await s.accounts.merge(from, into, 10_000)
        throw new Error('later step failed')
      }),
    ).rejects.toThrow('later step failed')
    expect(await t.stores.accounts.get(from)).toBeDefined()
    expect((await t.stores.accounts.findIdentity('telegram', 't'))?.accountId).toBe(from)
  })
})

describe('mergeSubscriptionRecords', () => {
  const record = (over: Partial<SubscriptionRecord>): SubscriptionRecord => ({
    ...NO_SUBSCRIPTION,
    accountId: 'x',
    ...over,
  })

  it('keeps the entitled Stripe subscription over a canceled one', () => {
    const merged = mergeSubscriptionRecords(
      record({ accountId: 'into', stripeSubscriptionId: 'sub_old', status: 'canceled' }),
      record({ accountId: 'from', stripeSubscriptionId: 'sub_new', status: 'trialing' }),
      5,
    )
    expect(merged).toMatchObject({
      accountId: 'into',
      stripeSubscriptionId: 'sub_new',
      updatedAt: 5,
    })
  })

  it('keeps the newer row when neither is entitled', () => {
    const merged = mergeSubscriptionRecords(
      record({ stripeSubscriptionId: 'sub_a', status: 'canceled', updatedAt: 1 }),
      record({ stripeSubscriptionId: 'sub_b', status: 'canceled', updatedAt: 2 }),
      5,
    )
    expect(merged.stripeSubscriptionId).toBe('sub_b')
  })

  it("keeps into's row on a tie and fills its missing customer id", () => {
    const merged = mergeSubscriptionRecords(
      record({ status: 'active', stripeSubscriptionId: 'sub_i' }),
      record({ status: 'active', stripeSubscriptionId: 'sub_f', stripeCustomerId: 'cus_f' }),
      5,
    )
    expect(merged).toMatchObject({ stripeSubscriptionId: 'sub_i', stripeCustomerId: 'cus_f' })
  })

  it('keeps the later complimentary grant', () => {
    const merged = mergeSubscriptionRecords(record({ compUntil: 10 }), record({ compUntil: 20 }), 5)
    expect(merged.compUntil).toBe(20)
  })
})
