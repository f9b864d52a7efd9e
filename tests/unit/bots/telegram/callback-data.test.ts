import { describe, expect, it } from 'vitest'
import { CallbackCodec } from '../../../../bots/telegram/callback-data.js'
import type { CommandDescriptor } from '../../../../src/core/chat-core.js'

const commands: CommandDescriptor[] = [
  {
    name: 'persona',
    description: 'Switch persona',
    permission: 'everyone',
    options: [{ name: 'name', description: 'persona', type: 'string' }],
  },
  {
    name: 'settings',
    description: 'Settings',
    permission: 'everyone',
    options: [
      { name: 'key', description: 'key', type: 'string' },
      { name: 'value', description: 'value', type: 'string' },
    ],
  },
]

describe('CallbackCodec', () => {
  const codec = () => new CallbackCodec(() => commands, { capacity: 2 })

  it('encodes an action compactly in option order and decodes it back', () => {
    const c = codec()
    const data = c.encode({ command: 'settings', args: { value: 'yes', key: 'adult' } })
    expect(data).toBe('settings|adult|yes')
    expect(c.decode(data)).toEqual({ command: 'settings', args: { key: 'adult', value: 'yes' } })
  })

  it('keeps actions longer than 64 bytes in a bounded table', () => {
    const c = codec()
    const long = { command: 'persona', args: { name: 'ä'.repeat(40) } }
    const data = c.encode(long)
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64)
    expect(c.decode(data)).toEqual(long)
    c.encode({ command: 'persona', args: { name: 'b'.repeat(70) } })
    c.encode({ command: 'persona', args: { name: 'c'.repeat(70) } })
    expect(c.decode(data)).toBeUndefined()
  })

  it('stores actions whose values contain the separator or unknown options', () => {
    const c = codec()
    const odd = { command: 'persona', args: { name: 'a|b' } }
    expect(c.decode(c.encode(odd))).toEqual(odd)
    const extra = { command: 'persona', args: { nope: 'x' } }
    expect(c.decode(c.encode(extra))).toEqual(extra)
  })

  it('returns undefined for unknown commands and unknown table entries', () => {
    expect(codec().decode('launch|rockets')).toBeUndefined()
    expect(codec().decode('#99')).toBeUndefined()
    expect(codec().decode('persona|a|b')).toBeUndefined()
  })
})
