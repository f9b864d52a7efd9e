import { describe, expect, it } from 'vitest'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

describe.each(TEST_DIALECTS)('SqlKeyValueStore on %s', (dialect) => {
  const t = useStores(dialect)

  it('sets, overwrites and gets values', async () => {
    expect(await t.stores.kv.get('k')).toBeUndefined()
    await t.stores.kv.set('k', 'one')
    await t.stores.kv.set('k', 'two')
    expect(await t.stores.kv.get('k')).toBe('two')
  })

  it('keeps the first value given to setIfAbsent', async () => {
    expect(await t.stores.kv.setIfAbsent('LINK_SECRET', 'first')).toBe('first')
    expect(await t.stores.kv.setIfAbsent('LINK_SECRET', 'second')).toBe('first')
    expect(await t.stores.kv.get('LINK_SECRET')).toBe('first')
  })

  it('agrees on one value when setIfAbsent races', async () => {
    const values = await Promise.all(
      ['a', 'b', 'c', 'd'].map((v) => t.stores.kv.setIfAbsent('secret', v)),
    )
    expect(new Set(values).size).toBe(1)
    expect(values[0]).toBe(await t.stores.kv.get('secret'))
  })

  it('lets exactly one of concurrent claims win', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.stores.kv.claim('link:abc', 1)),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await t.stores.kv.claim('link:abc', 2)).toBe(false)
    expect(await t.stores.kv.claim('link:other', 2)).toBe(true)
  })
})
