import { afterEach, describe, expect, it } from 'vitest'
import type { CommandInvocation } from '../../../src/core/chat-core.js'
import {
  collect,
  errorCode,
  group,
  type Harness,
  harness,
  makePersona,
  recordingIo,
} from '../core/fixtures.js'

let h: Harness
afterEach(async () => {
  await h.close()
})

type Who = Omit<CommandInvocation, 'name' | 'args'>
const me: Who = {
  platform: 'telegram',
  platformUserId: '42',
  displayName: 'Ann',
  chatId: '42',
  chatKind: 'direct',
  adultAllowed: true,
  isChatAdmin: false,
}
const inGroup: Who = { ...me, chatId: '-100', chatKind: 'group', adultAllowed: false }
const chatAdmin: Who = { ...inGroup, isChatAdmin: true }
const admin: Who = { ...me, platform: 'console', platformUserId: 'root', chatId: 'root' }

const personas = [
  makePersona({ id: 'nova', name: 'Nova' }),
  makePersona({ id: 'sage', name: 'Sage' }),
  makePersona({ id: 'spicy', name: 'Spicy', nsfw: true, systemPrompt: 'SPICY SECRET PROMPT' }),
  makePersona({ id: 'gold', name: 'Gold', tier: 'premium' }),
  makePersona({ id: 'vault', name: 'Vault', exportable: false }),
]

async function run(name: string, text: string, who: Who = me) {
  const io = recordingIo()
  await h.core.runCommand({ ...who, name, args: h.core.parseArgs(name, text) }, io)
  return io
}
const exported = async (persona: string, who: Who = me) => {
  const reply = (await run('persona', `export ${persona}`, who)).replies[0]
  return { text: reply?.text ?? '', file: reply?.file?.name }
}
const accountOf = async (userId: string) =>
  (await h.stores.accounts.findIdentity('telegram', userId))?.accountId as string

describe('/persona export follows the /persona access rules', () => {
  it('refuses premium personas to free members, in private chats and in groups', async () => {
    h = await harness({ personas })
    expect(await exported('gold')).toEqual({
      text: expect.stringMatching(/premium/),
      file: undefined,
    })
    expect((await exported('gold', inGroup)).file).toBeUndefined()
    h.entitlements.tiers.set(await accountOf('42'), 'premium')
    expect((await exported('gold')).file).toBe('gold.json')
  })

  it('refuses adult personas until the person confirmed 18+, even where the chat allows them', async () => {
    h = await harness({ personas })
    const refused = await exported('spicy')
    expect(refused.text).toMatch(/adults only.*\/settings adult yes/s)
    expect(refused.file).toBeUndefined()
    await run('channel', 'adult off', chatAdmin)
    await h.stores.chatSettings.update('telegram:-100', { adultEnabled: true }, 0)
    // The group allows adult personas, but Ann never confirmed her age herself.
    expect((await exported('spicy', inGroup)).file).toBeUndefined()
    await run('settings', 'adult yes')
    expect((await exported('spicy', inGroup)).file).toBe('spicy.json')
    expect((await exported('spicy')).file).toBe('spicy.json')
    // Confirmed, but in a group without adult content: still refused.
    expect((await exported('spicy', { ...inGroup, chatId: '-200' })).file).toBeUndefined()
  })

  it('refuses personas the chat does not allow', async () => {
    h = await harness({ personas })
    await run('channel', 'allowed nova', chatAdmin)
    expect((await exported('sage', inGroup)).text).toMatch(/not allowed in this chat/)
    expect((await exported('nova', inGroup)).file).toBe('nova.json')
  })

  it('never exports a persona the operator marked exportable: false, not even to admins', async () => {
    h = await harness({ personas })
    expect(await exported('vault')).toEqual({
      text: expect.stringMatching(/cannot be exported/),
      file: undefined,
    })
    expect((await exported('vault', admin)).file).toBeUndefined()
  })
})

describe('group rules for admins', () => {
  it('/channel adult on needs the admin’s own 18+ confirmation; off never does', async () => {
    h = await harness({ personas })
    expect((await run('channel', 'adult on', chatAdmin)).replies[0]?.text).toMatch(
      /confirmed being 18 or older.*\/settings adult yes/s,
    )
    expect((await h.stores.chatSettings.get('telegram:-100')).adultEnabled).toBe(false)
    await run('settings', 'adult yes')
    expect((await run('channel', 'adult on', chatAdmin)).replies[0]?.text).toContain(
      'Adult content: on',
    )
    await run('settings', 'adult no')
    expect((await run('channel', 'adult off', chatAdmin)).replies[0]?.text).toContain(
      'Adult content: off',
    )
  })

  it('/regenerate in a group is for chat admins and the person the reply answered', async () => {
    h = await harness({ personas })
    await collect(h.core.reply(group('tell me a joke', { addressed: true })))
    const bob: Who = { ...inGroup, platformUserId: '77', displayName: 'Bob' }
    const byBob = await run('regenerate', '', bob)
    expect(errorCode(byBob.streamed[0] ?? [])).toBe('NOT_ALLOWED')
    const asked = h.llm.requests.length
    expect((await run('regenerate', '', inGroup)).streamed[0]?.at(-1)).toMatchObject({
      type: 'done',
    })
    expect(
      (await run('regenerate', '', { ...bob, isChatAdmin: true })).streamed[0]?.at(-1),
    ).toMatchObject({
      type: 'done',
    })
    expect(h.llm.requests.length).toBe(asked + 2)
    // /reset wipes what everyone shares: chat admins only.
    expect((await run('reset', '', inGroup)).replies[0]?.text).toMatch(/Only admins of this chat/)
  })
})
