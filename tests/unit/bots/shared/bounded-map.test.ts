import { describe, expect, it } from 'vitest'
import { BoundedMap } from '../../../../bots/shared/bounded-map.js'

describe('BoundedMap', () => {
  it('forgets the oldest entry once a set goes over the bound', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    map.set('c', 3)
    expect(map.size).toBe(2)
    expect(map.get('a')).toBeUndefined()
    expect(map.get('b')).toBe(2)
    expect(map.get('c')).toBe(3)
  })

  it('makes a key set again the newest, so it outlives keys set after it the first time', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    map.set('a', 10)
    map.set('c', 3)
    expect(map.get('a')).toBe(10)
    expect(map.get('b')).toBeUndefined()
    expect(map.size).toBe(2)
  })
})
