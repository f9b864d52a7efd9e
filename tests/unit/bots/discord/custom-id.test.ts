import { describe, expect, it } from 'vitest'
import { CUSTOM_ID_LIMIT, CustomIdCodec } from '../../../../bots/discord/custom-id.js'

describe('CustomIdCodec', () => {
  it('round-trips stop, regenerate and command buttons', () => {
    const codec = new CustomIdCodec()
    for (const action of [
      { kind: 'stop', ownerId: '123' },
      { kind: 'regenerate' },
      { kind: 'command', command: 'persona', args: { name: 'luna & co' } },
    ] as const) {
      const id = codec.encode(action)
      expect(id.length).toBeLessThanOrEqual(CUSTOM_ID_LIMIT)
      expect(codec.decode(id)).toEqual(action)
    }
  })

  it('keeps arguments too long for a custom id in memory behind a short key', () => {
    const codec = new CustomIdCodec()
    const action = {
      kind: 'command',
      command: 'verify',
      args: { email: `${'a'.repeat(150)}@x.org` },
    } as const
    const id = codec.encode(action)
    expect(id.length).toBeLessThanOrEqual(CUSTOM_ID_LIMIT)
    expect(codec.decode(id)).toEqual(action)
  })

  it('forgets the oldest stored actions beyond its bound and answers unknown ids with null', () => {
    const codec = new CustomIdCodec({ maxStored: 1 })
    const long = (n: number) =>
      ({ kind: 'command', command: 'x', args: { v: `${n}${'z'.repeat(120)}` } }) as const
    const first = codec.encode(long(1))
    const second = codec.encode(long(2))
    expect(codec.decode(first)).toBeNull()
    expect(codec.decode(second)).toEqual(long(2))
    expect(codec.decode('something-else')).toBeNull()
  })
})
