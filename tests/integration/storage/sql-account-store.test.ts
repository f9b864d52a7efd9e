import { describe, expect, it } from 'vitest'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

describe.each(TEST_DIALECTS)('SqlAccountStore on %s', (dialect) => {
  const t = useStores(dialect)

  it('creates an account and identity on first sight and finds them afterwards', async () => {
    const first = await t.stores.accounts.resolveIdentity('discord', '42', 'Ann', 1_000)
    expect(first.created).toBe(true)
    expect(first.account).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: null,
      emailVerified: false,
      adultConfirmed: false,
      createdAt: 1_000,
    })
    const again = await t.stores.accounts.resolveIdentity('discord', '42', 'Ann', 2_000)
    expect(again).toEqual({ account: first.account, created: false })
    expect(await t.stores.accounts.get(first.account.id)).toEqual(first.account)
  })

  it('keeps the same user id on different platforms apart', async () => {
    const discord = await t.stores.accounts.resolveIdentity('discord', '7', 'A', 1)
    const telegram = await t.stores.accounts.resolveIdentity('telegram', '7', 'A', 1)
    expect(telegram.created).toBe(true)
    expect(telegram.account.id).not.toBe(discord.account.id)
  })

  it('creates exactly one account when first messages of a new user race', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.stores.accounts.resolveIdentity('telegram', '99', 'Bo', 5_000),
      ),
    )
    expect(new Set(results.map((r) => r.account.id)).size).toBe(1)
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect((await t.stores.accounts.stats(0)).accounts).toBe(1)
  })

  it('updates the display name when it changes', async () => {
    const { account } = await t.stores.accounts.resolveIdentity('discord', '1', 'Old', 1_000)
    await t.stores.accounts.resolveIdentity('discord', '1', 'New', 1_001)
    expect(await t.stores.accounts.findIdentity('discord', '1')).toEqual({
      platform: 'discord',
      platformUserId: '1',
      accountId: account.id,
      displayName: 'New',
      handle: null,
    })
  })

  it('keeps the platform handle and follows its changes, never forgetting it when not given', async () => {
    await t.stores.accounts.resolveIdentity('telegram', '7', 'Ann', 1_000, '@ann')
    expect((await t.stores.accounts.findIdentity('telegram', '7'))?.handle).toBe('@ann')
    await t.stores.accounts.resolveIdentity('telegram', '7', 'Ann', 1_001)
    expect((await t.stores.accounts.findIdentity('telegram', '7'))?.handle).toBe('@ann')
    await t.stores.accounts.resolveIdentity('telegram', '7', 'Ann', 1_002, '@ann_new')
    expect((await t.stores.accounts.findIdentity('telegram', '7'))?.handle).toBe('@ann_new')
  })

  it('refreshes last seen only when it is a minute old', async () => {
    await t.stores.accounts.resolveIdentity('discord', '1', 'A', 0)
    await t.stores.accounts.resolveIdentity('discord', '1', 'A', 59_999)
    expect((await t.stores.accounts.stats(1)).activeAccounts).toBe(0)
    await t.stores.accounts.resolveIdentity('discord', '1', 'A', 60_000)
    expect((await t.stores.accounts.stats(60_000)).activeAccounts).toBe(1)
  })

  it('returns undefined for unknown accounts, identities and addresses', async () => {
    expect(await t.stores.accounts.get('nope')).toBeUndefined()
    expect(await t.stores.accounts.findIdentity('discord', 'nope')).toBeUndefined()
    expect(await t.stores.accounts.findByEmail('nobody@example.com')).toBeUndefined()
    expect(await t.stores.accounts.identities('nope')).toEqual([])
  })

  it('lists the identities of an account', async () => {
    const { account } = await t.stores.accounts.resolveIdentity('discord', 'd1', 'Ann', 1)
    await t.stores.accounts.resolveIdentity('telegram', 't1', 'Annie', 2)
    await t.stores.accounts.merge(
      (await t.stores.accounts.findIdentity('telegram', 't1'))?.accountId ?? '',
      account.id,
      3,
    )
    expect(await t.stores.accounts.identities(account.id)).toEqual([
      {
        platform: 'discord',
        platformUserId: 'd1',
        accountId: account.id,
        displayName: 'Ann',
        handle: null,
      },
      {
        platform: 'telegram',
        platformUserId: 't1',
        accountId: account.id,
        displayName: 'Annie',
        handle: null,
      },
    ])
  })

  it('sets a verified email and finds the account by it', async () => {
    const { account } = await t.stores.accounts.resolveIdentity('discord', '1', 'A', 1)
    await t.stores.accounts.setEmailVerified(account.id, 'ann@example.com', 2)
    const found = await t.stores.accounts.findByEmail('ann@example.com')
    expect(found).toMatchObject({ id: account.id, email: 'ann@example.com', emailVerified: true })
  })

  it('refuses an address another account already holds', async () => {
    const a = await t.stores.accounts.resolveIdentity('discord', '1', 'A', 1)
    const b = await t.stores.accounts.resolveIdentity('discord', '2', 'B', 1)
    await t.stores.accounts.setEmailVerified(a.account.id, 'same@example.com', 2)
    await expect(
      t.stores.accounts.setEmailVerified(b.account.id, 'same@example.com', 3),
    ).rejects.toThrow()
  })

  it('sets and clears the adult confirmation', async () => {
    const { account } = await t.stores.accounts.resolveIdentity('discord', '1', 'A', 1)
    await t.stores.accounts.setAdultConfirmed(account.id, true, 2)
    expect((await t.stores.accounts.get(account.id))?.adultConfirmed).toBe(true)
    await t.stores.accounts.setAdultConfirmed(account.id, false, 3)
    expect((await t.stores.accounts.get(account.id))?.adultConfirmed).toBe(false)
  })

  it('counts accounts, recently seen accounts and stored messages', async () => {
    await t.stores.accounts.resolveIdentity('discord', '1', 'A', 1_000)
    const { account } = await t.stores.accounts.resolveIdentity('discord', '2', 'B', 500_000)
    const { conversation } = await t.stores.conversations.getOrCreate(
      `account:${account.id}`,
      'p',
      'direct',
      500_000,
    )
    for (const content of ['a', 'b', 'c']) {
      await t.stores.conversations.append({
        conversationId: conversation.id,
        role: 'user',
        content,
        status: 'complete',
        createdAt: 500_000,
      })
    }
    expect(await t.stores.accounts.stats(100_000)).toEqual({
      accounts: 2,
      activeAccounts: 1,
      messages: 3,
    })
  })

  it('counts messages ever stored, deleted ones included (highest id)', async () => {
    const { conversation } = await t.stores.conversations.getOrCreate('telegram:1', 'p', 'group', 1)
    const m = await t.stores.conversations.append({
      conversationId: conversation.id,
      role: 'user',
      content: 'x',
      status: 'complete',
      createdAt: 1,
    })
    await t.stores.conversations.append({ ...m, content: 'y' })
    await t.stores.conversations.deleteMessage(m.id)
    expect((await t.stores.accounts.stats(0)).messages).toBe(2)
  })

  it('reports zero messages on an empty database', async () => {
    expect(await t.stores.accounts.stats(0)).toEqual({
      accounts: 0,
      activeAccounts: 0,
      messages: 0,
    })
  })
})
