import { describe, expect, it } from 'vitest'
import { toDiscordCommandData } from '../../../../bots/discord/command-data.js'

describe('toDiscordCommandData', () => {
  it('maps options with types, choices and autocomplete, required ones first', () => {
    const data = toDiscordCommandData({
      name: 'channel',
      description: 'Channel settings',
      permission: 'chat_admin',
      options: [
        {
          name: 'mode',
          description: 'Mode',
          type: 'string',
          choices: [{ name: 'All', value: 'all' }],
        },
        {
          name: 'persona',
          description: 'Persona',
          type: 'string',
          autocomplete: 'personas',
          required: true,
        },
        { name: 'days', description: 'Days', type: 'integer' },
        { name: 'on', description: 'On?', type: 'boolean' },
      ],
    })
    expect(data.default_member_permissions).toBe('32')
    expect(data.options).toEqual([
      { name: 'persona', description: 'Persona', type: 3, required: true, autocomplete: true },
      {
        name: 'mode',
        description: 'Mode',
        type: 3,
        required: false,
        choices: [{ name: 'All', value: 'all' }],
      },
      { name: 'days', description: 'Days', type: 4, required: false },
      { name: 'on', description: 'On?', type: 5, required: false },
    ])
  })

  it('leaves everyone commands visible and clips descriptions to 100 characters', () => {
    const data = toDiscordCommandData({
      name: 'help',
      description: 'x'.repeat(150),
      permission: 'everyone',
      options: [],
    })
    expect(data.default_member_permissions).toBeNull()
    expect(data.description).toHaveLength(100)
  })
})
