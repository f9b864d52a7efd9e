import { afterEach, describe, expect, it } from 'vitest'
import type { DiscordStack } from './discord/discord-stack.js'
import { startDiscordStack } from './discord/discord-stack.js'
import { type Stack, startStack } from './telegram/harness.js'

/*
 * Personal answers (plan, email, links, files) asked for in a group or channel never appear
 * there: they go privately, and when the bot cannot write privately the group only hears
 * "open a private chat with me first". Real grammY and discord.js against the doubles.
 */

const USER = 2002
const GROUP = -100777
const EMAIL = 'ann.private@example.com'

let telegram: Stack | undefined
let discord: DiscordStack | undefined
afterEach(async () => {
  await telegram?.close()
  await discord?.close()
  telegram = undefined
  discord = undefined
})

async function telegramWithVerifiedUser(): Promise<Stack> {
  const s = await startStack()
  const { account } = await s.stores.accounts.resolveIdentity('telegram', String(USER), 'Ann', 0)
  await s.stores.accounts.setEmailVerified(account.id, EMAIL, 0)
  return s
}

function inGroup(s: Stack, text: string): void {
  s.telegram.injectMessage({ chatId: GROUP, chatType: 'supergroup', userId: USER, text })
}

describe('personal answers asked for in a Telegram group', () => {
  it('posts no personal content when the person never opened a private chat', async () => {
    const s = await telegramWithVerifiedUser()
    telegram = s
    s.telegram.neverStarted(USER)
    inGroup(s, '/status@JustLayMeBot')
    const [notice] = await s.telegram.until(() =>
      s.telegram.botMessages(GROUP).length > 0 ? s.telegram.botMessages(GROUP) : undefined,
    )
    expect(notice?.text).toMatch(/open a private chat with me first/)
    expect(notice?.text).toContain('/status')
    inGroup(s, '/settings@JustLayMeBot')
    await s.telegram.until(() => s.telegram.botMessages(GROUP)[1])
    const posted = s.telegram.botMessages(GROUP).map((m) => m.text)
    expect(posted).toHaveLength(2)
    expect(posted[1]).toMatch(/open a private chat with me first/)
    for (const text of posted) {
      expect(text).not.toContain(EMAIL)
      expect(text).not.toMatch(/Plan:|Messages left|18\+ confirmed/)
    }
    expect(s.telegram.botMessages(USER)).toEqual([])
  })

  it('sends the answer privately when it can, and only a pointer to the group', async () => {
    const s = await telegramWithVerifiedUser()
    telegram = s
    inGroup(s, '/status@JustLayMeBot')
    const pointer = await s.telegram.until(() => s.telegram.botMessages(GROUP)[0])
    expect(pointer.text).toMatch(/private message/)
    expect(pointer.text).not.toContain(EMAIL)
    expect(s.telegram.botMessages(USER)[0]?.text).toContain(EMAIL)
  })

  it('still answers harmless private notes in the group when it cannot DM', async () => {
    const s = await telegramWithVerifiedUser()
    telegram = s
    s.telegram.neverStarted(USER)
    inGroup(s, '/help@JustLayMeBot')
    const help = await s.telegram.until(() => s.telegram.botMessages(GROUP)[0])
    expect(help.text).toMatch(/\/status/)
    expect(help.text).not.toMatch(/open a private chat/)
  })
})

describe('personal answers asked for in a Discord channel', () => {
  it('answers /status only ephemerally: no channel message carries the email', async () => {
    const s = await startDiscordStack()
    discord = s
    const d = s.discord
    const { account } = await s.stores.accounts.resolveIdentity(
      'discord',
      d.users.alice.id,
      'alice',
      0,
    )
    await s.stores.accounts.setEmailVerified(account.id, EMAIL, 0)
    const status = d.injectSlashCommand({
      channelId: d.channels.general,
      user: d.users.alice,
      name: 'status',
    })
    const reply = await d.waitFor(() => status.callbacks[0])
    expect(reply.data?.flags).toBe(64)
    expect(String(reply.data?.content)).toContain(EMAIL)
    const publicMessages = d
      .channelMessages(d.channels.general)
      .filter((m) => ((m.flags ?? 0) & 64) === 0)
    expect(publicMessages.map((m) => m.content).join('\n')).not.toContain(EMAIL)
  })
})
