import { describe, expect, it } from 'vitest'
import { BoundedCache } from '../../../src/llm/bounded-cache.js'

describe('BoundedCache', () => {
  it('keeps at most maxKeys entries, evicting the oldest', () => {
    const cache = new BoundedCache({ maxKeys: 2, ttlSeconds: 60 })
    cache.set('k:a', 1)
    cache.set('k:b', 2)
    cache.set('k:c', 3)
    expect(cache.size).toBe(2)
    expect(cache.get('k:a')).toBeUndefined()
    expect(cache.get('k:c')).toBe(3)
  })

  it('shares one load between concurrent callers', async () => {
    const cache = new BoundedCache({ maxKeys: 10, ttlSeconds: 60 })
    let loads = 0
    const load = async () => {
      loads += 1
      return 'value'
    }
    const values = await Promise.all([cache.getOrLoad('k', load), cache.getOrLoad('k', load)])
    expect(values).toEqual(['value', 'value'])
    expect(loads).toBe(1)
  })

  it('does not cache a failed load', async () => {
    const cache = new BoundedCache({ maxKeys: 10, ttlSeconds: 60 })
    await expect(cache.getOrLoad('k', () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    )
    await expect(cache.getOrLoad('k', async () => 'up')).resolves.toBe('up')
  })
})
