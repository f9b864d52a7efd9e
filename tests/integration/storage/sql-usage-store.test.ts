import { describe, expect, it } from 'vitest'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

describe.each(TEST_DIALECTS)('SqlUsageStore on %s', (dialect) => {
  const t = useStores(dialect)

  it('reads zeros for a day without usage', async () => {
    expect(await t.stores.usage.get('a', '2026-11-26')).toEqual({
      messages: 0,
      promptTokens: 0,
      completionTokens: 0,
    })
  })

  it('adds to the day and returns the new totals', async () => {
    expect(await t.stores.usage.add('a', '2026-11-26', { messages: 1, promptTokens: 100 })).toEqual(
      { messages: 1, promptTokens: 100, completionTokens: 0 },
    )
    expect(await t.stores.usage.add('a', '2026-11-26', { completionTokens: 40 })).toEqual({
      messages: 1,
      promptTokens: 100,
      completionTokens: 40,
    })
    expect(await t.stores.usage.get('a', '2026-11-27')).toMatchObject({ messages: 0 })
    expect(await t.stores.usage.get('b', '2026-11-26')).toMatchObject({ messages: 0 })
  })

  it('loses no increment under concurrent adds', async () => {
    const totals = await Promise.all(
      Array.from({ length: 20 }, () => t.stores.usage.add('a', '2026-11-26', { messages: 1 })),
    )
    expect(await t.stores.usage.get('a', '2026-11-26')).toMatchObject({ messages: 20 })
    expect(totals.map((x) => x.messages).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    )
  })
})
