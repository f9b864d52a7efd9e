import { describe, expect, it } from 'vitest'
import { compileLorePattern, rejectedLoreKeys } from '../../../src/core/lore-pattern.js'
import { activeLore } from '../../../src/core/persona-prompt.js'
import {
  adversarialInput,
  HOSTILE_LORE_PATTERNS,
  lore,
  persona,
} from '../../fixtures/cards/sample-cards.js'

const opts = { estimateTokens: (t: string) => Math.ceil(t.length / 4) }
const names = (entries: readonly { entry: { name?: string | undefined } }[]) =>
  entries.map((e) => e.entry.name)

describe('lore regexes from hostile cards', () => {
  const hostile = persona({
    lore: [
      ...HOSTILE_LORE_PATTERNS.map((key, i) =>
        lore({ name: `trap-${i}`, keys: [key], useRegex: true }),
      ),
      lore({ name: 'nested', keys: ['^(a+)+$'], useRegex: true }),
      lore({ name: 'slashed', keys: ['/(\\w*x)*y/'] }),
    ],
  })

  it('runs patterns with nested quantifiers instead of refusing them, and they match', () => {
    expect(names(activeLore(hostile, ['aaaa'], opts))).toEqual([
      'trap-0',
      'trap-1',
      'trap-2',
      'nested',
    ])
    expect(names(activeLore(hostile, ['xxxy'], opts))).toEqual(['trap-2', 'slashed'])
  })

  it('scans 10,000 characters of adversarial input with every hostile pattern (linear time)', () => {
    // A backtracking engine needs seconds for 30 of these characters and longer than the
    // universe's age for 10,000; a linear one reads them once.
    const input = adversarialInput(10_000)
    for (const key of [...HOSTILE_LORE_PATTERNS, '^(a+)+$', '(\\w*x)*y']) {
      expect(compileLorePattern(key, { caseSensitive: false, useRegex: true })).toMatchObject({
        ok: true,
      })
    }
    expect(activeLore(hostile, [input, input.replaceAll('1', 'a')], opts)).toEqual([])
  })

  it('never matches a pattern the linear engine cannot run, and reports its entry', () => {
    const p = persona({
      lore: [
        lore({ name: 'lookahead', keys: ['foo(?=bar)'], useRegex: true }),
        lore({ keys: ['/(a)\\1/'] }),
        lore({ name: 'fine', keys: ['\\bfoo\\b'], useRegex: true }),
        lore({ name: 'plain', keys: ['(?=not a regex)'] }),
      ],
    })
    expect(names(activeLore(p, ['foobar aa (?=not a regex)'], opts))).toEqual(['plain'])
    expect(rejectedLoreKeys(p)).toEqual([
      { entry: 'lookahead', key: 'foo(?=bar)', reason: expect.stringContaining('linear-time') },
      { entry: '#1', key: '/(a)\\1/', reason: expect.stringContaining('linear-time') },
    ])
  })

  it('keeps JavaScript spellings working: flags, \\u escapes, lookbehind', () => {
    const p = persona({
      lore: [
        lore({ name: 'u', keys: ['caf\\u00e9'], useRegex: true }),
        lore({ name: 'm', keys: ['/^second$/m'] }),
        lore({ name: 'case', keys: ['/Dragon/'] }),
        lore({ name: 'behind', keys: ['(?<=sea )serpent'], useRegex: true }),
      ],
    })
    expect(names(activeLore(p, ['CAFÉ\nsecond\ndragon, sea serpent'], opts))).toEqual([
      'u',
      'm',
      'behind',
    ])
  })
})
