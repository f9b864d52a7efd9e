import { describe, expect, it } from 'vitest'
import {
  accountScope,
  chatScope,
  conversationScope,
  guildScope,
  isListedAdmin,
} from '../../../src/core/scopes.js'

describe('scopes', () => {
  it('uses the account scope for DMs and the chat scope for groups', () => {
    expect(accountScope('a1')).toBe('account:a1')
    expect(conversationScope({ platform: 'telegram', chatId: '5', chatKind: 'direct' }, 'a1')).toBe(
      'account:a1',
    )
    expect(
      conversationScope({ platform: 'telegram', chatId: '-100', chatKind: 'group' }, 'a1'),
    ).toBe('telegram:-100')
    expect(chatScope({ platform: 'discord', chatId: 'g/c', chatKind: 'group' })).toBe('discord:g/c')
  })

  it('derives the Discord server scope from guildId/channelId[/threadId] chat ids', () => {
    expect(guildScope({ platform: 'discord', chatId: '11/22', chatKind: 'group' })).toBe(
      'discord-guild:11',
    )
    expect(guildScope({ platform: 'discord', chatId: '11/22/33', chatKind: 'group' })).toBe(
      'discord-guild:11',
    )
    expect(guildScope({ platform: 'discord', chatId: '22', chatKind: 'group' })).toBeNull()
    expect(guildScope({ platform: 'discord', chatId: '11/22', chatKind: 'direct' })).toBeNull()
    expect(guildScope({ platform: 'telegram', chatId: '-100/7', chatKind: 'group' })).toBeNull()
  })

  it('recognises admins by platform and user id', () => {
    const admins = [{ platform: 'discord' as const, platformUserId: '1' }]
    expect(isListedAdmin(admins, 'discord', '1')).toBe(true)
    expect(isListedAdmin(admins, 'telegram', '1')).toBe(false)
  })
})
