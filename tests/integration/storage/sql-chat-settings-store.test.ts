import { describe, expect, it } from 'vitest'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

describe.each(TEST_DIALECTS)('SqlChatSettingsStore on %s', (dialect) => {
  const t = useStores(dialect)

  it('returns the defaults for an unknown scope', async () => {
    expect(await t.stores.chatSettings.get('telegram:1')).toEqual({
      personaId: null,
      answerAll: false,
      adultEnabled: false,
      allowedPersonas: null,
    })
  })

  it('applies patches field by field and returns the result', async () => {
    const first = await t.stores.chatSettings.update('discord:5', { personaId: 'luna' }, 1)
    expect(first).toEqual({
      personaId: 'luna',
      answerAll: false,
      adultEnabled: false,
      allowedPersonas: null,
    })
    await t.stores.chatSettings.update(
      'discord:5',
      { answerAll: true, adultEnabled: true, allowedPersonas: ['luna', 'max'] },
      2,
    )
    expect(await t.stores.chatSettings.get('discord:5')).toEqual({
      personaId: 'luna',
      answerAll: true,
      adultEnabled: true,
      allowedPersonas: ['luna', 'max'],
    })
    const cleared = await t.stores.chatSettings.update(
      'discord:5',
      { personaId: null, allowedPersonas: null, answerAll: false },
      3,
    )
    expect(cleared).toEqual({
      personaId: null,
      answerAll: false,
      adultEnabled: true,
      allowedPersonas: null,
    })
  })

  it('keeps both of two concurrent patches of different fields', async () => {
    await Promise.all([
      t.stores.chatSettings.update('telegram:7', { personaId: 'max' }, 1),
      t.stores.chatSettings.update('telegram:7', { adultEnabled: true }, 1),
    ])
    expect(await t.stores.chatSettings.get('telegram:7')).toMatchObject({
      personaId: 'max',
      adultEnabled: true,
    })
  })

  it('stores an empty allow-list apart from no list', async () => {
    await t.stores.chatSettings.update('discord-guild:1', { allowedPersonas: [] }, 1)
    expect((await t.stores.chatSettings.get('discord-guild:1')).allowedPersonas).toEqual([])
  })
})
