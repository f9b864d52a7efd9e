import { describe, expect, it } from 'vitest'
import { RecentIds } from '../../../../bots/shared/recent-ids.js'

describe('RecentIds', () => {
  it('says true only the first time an id is added', () => {
    const ids = new RecentIds<number>(10)
    expect(ids.add(1)).toBe(true)
    expect(ids.add(1)).toBe(false)
    expect(ids.has(1)).toBe(true)
    expect(ids.has(2)).toBe(false)
  })

  it('forgets the oldest id beyond its capacity', () => {
    const ids = new RecentIds<string>(2)
    ids.add('a')
    ids.add('b')
    ids.add('c')
    expect(ids.has('a')).toBe(false)
    expect(ids.has('b')).toBe(true)
    expect(ids.has('c')).toBe(true)
  })
})
