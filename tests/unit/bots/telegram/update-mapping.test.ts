import type { Message } from 'grammy/types'
import { describe, expect, it } from 'vitest'
import {
  addressing,
  chatIdOf,
  chatKindOf,
  parseCommand,
  topicOf,
} from '../../../../bots/telegram/update-mapping.js'

const me = { id: 42, username: 'PersonaBot' }

describe('Telegram update mapping', () => {
  it('maps chat types and forum topics', () => {
    expect(chatKindOf({ type: 'private' })).toBe('direct')
    expect(chatKindOf({ type: 'supergroup' })).toBe('group')
    expect(chatKindOf({ type: 'channel' })).toBeUndefined()
    expect(chatIdOf(-100, topicOf({ is_topic_message: true, message_thread_id: 7 }))).toBe('-100:7')
    expect(chatIdOf(-100, topicOf({ message_thread_id: 7 }))).toBe('-100')
  })

  it('parses /cmd@Bot arguments and ignores commands for other bots', () => {
    const entities = (length: number) => [{ type: 'bot_command' as const, offset: 0, length }]
    expect(parseCommand('/persona@PersonaBot mara quill', entities(19), 'personabot')).toEqual({
      kind: 'command',
      name: 'persona',
      rest: 'mara quill',
      explicit: true,
    })
    expect(parseCommand('/help', entities(5), 'PersonaBot')).toMatchObject({
      name: 'help',
      explicit: false,
    })
    expect(parseCommand('/help@OtherBot', entities(14), 'PersonaBot')).toEqual({
      kind: 'other-bot',
    })
    expect(parseCommand('hi /help', [], 'PersonaBot')).toEqual({ kind: 'none' })
  })

  it('sees a mention, strips it and sees replies to the bot', () => {
    const text = 'hey @PersonaBot, how are you?'
    const mentioned = { text, entities: [{ type: 'mention' as const, offset: 4, length: 11 }] }
    expect(addressing(mentioned, me)).toEqual({ addressed: true, text: 'hey , how are you?' })
    const other = {
      text: '@someone hi',
      entities: [{ type: 'mention' as const, offset: 0, length: 8 }],
    }
    expect(addressing(other, me).addressed).toBe(false)
    const reply = {
      text: 'and?',
      reply_to_message: { from: { id: 42 } } as Message['reply_to_message'],
    }
    expect(addressing(reply, me)).toEqual({ addressed: true, text: 'and?' })
  })
})
