import { afterEach, describe, expect, it } from 'vitest'
import { collect, dm, type Harness, harness, makePersona, recordingIo, words } from './fixtures.js'

let h: Harness
afterEach(async () => {
  await h.close()
})

const invocation = {
  platform: 'telegram' as const,
  platformUserId: '42',
  displayName: 'Ann',
  chatId: '42',
  chatKind: 'direct' as const,
  adultAllowed: false,
  isChatAdmin: false,
}

describe('memory', () => {
  it('condenses turns that fell out of the context into a summary and injects it', async () => {
    h = await harness({ personas: [makePersona({ id: 'p', options: { num_ctx: 700 } })] })
    h.llm.script = (req) =>
      req.userKey === 'memory'
        ? words('Ann likes green tea and lives in Oslo.', req)
        : words(`reply ${'r'.repeat(120)}`, req)
    for (let i = 0; i < 14; i++) {
      await collect(h.core.reply(dm(`turn ${i} ${'u'.repeat(150)}`)))
      await h.core.idle()
    }
    const memoryCall = h.llm.requests.find((r) => r.userKey === 'memory')
    expect(memoryCall?.tier).toBe('free')
    expect(memoryCall?.options?.temperature).toBeLessThanOrEqual(0.3)
    expect(memoryCall?.messages.at(-1)?.content).toContain('turn 0')

    const io = recordingIo()
    await h.core.runCommand({ ...invocation, name: 'memory', args: {} }, io)
    expect(io.replies[0]?.text).toContain('Ann likes green tea')

    await collect(h.core.reply(dm('what do you remember?')))
    const chats = h.llm.requests.filter((r) => r.userKey !== 'memory')
    expect(chats.at(-1)?.messages[0]?.content).toContain('Ann likes green tea and lives in Oslo.')
  })

  it('does not summarize short conversations', async () => {
    h = await harness()
    await collect(h.core.reply(dm('hi')))
    await h.core.idle()
    expect(h.llm.requests.filter((r) => r.userKey === 'memory')).toHaveLength(0)
  })

  it('forget wipes conversations and memory after a confirmation', async () => {
    h = await harness()
    await collect(h.core.reply(dm('remember me')))
    const io = recordingIo()
    await h.core.runCommand({ ...invocation, name: 'forget', args: {} }, io)
    expect(io.replies[0]?.actions).toEqual([
      { label: 'Delete everything', command: 'forget', args: { confirm: 'yes' } },
    ])
    const account = await h.stores.accounts.findIdentity('telegram', '42')
    expect(await h.stores.conversations.listByScope(`account:${account?.accountId}`)).toHaveLength(
      1,
    )
    await h.core.runCommand({ ...invocation, name: 'forget', args: { confirm: 'yes' } }, io)
    expect(io.replies[1]?.text).toMatch(/deleted 1 private conversation and their memory/)
    expect(io.replies[1]?.text).toMatch(/cannot delete.*Discord or Telegram.*backups/s)
    expect(await h.stores.conversations.listByScope(`account:${account?.accountId}`)).toHaveLength(
      0,
    )
  })
})
