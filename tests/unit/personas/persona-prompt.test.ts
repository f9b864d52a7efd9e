import { describe, expect, it } from 'vitest'
import {
  activeLore,
  DEFAULT_SYSTEM_PROMPT,
  exampleDialogueBlocks,
  expandMacros,
  personaGreeting,
  personaSheet,
  personaSystemMessage,
  personaSystemPrompt,
  postHistoryInstructions,
} from '../../../src/core/persona-prompt.js'
import { lore, persona } from '../../fixtures/cards/sample-cards.js'

const words = (text: string): number => text.split(/\s+/).filter(Boolean).length
const names = (
  entries: readonly { entry: { name?: string | undefined } }[],
): (string | undefined)[] => entries.map((e) => e.entry.name)

describe('expandMacros', () => {
  it('expands char and user macros in every spelling, case-insensitively', () => {
    const text = '{{char}} {{CHAR}} {{ Char }} <BOT> <bot> <CHAR> | {{user}} {{User}} <USER> <user>'
    expect(expandMacros(text, { char: 'Ann', user: 'Bo' })).toBe(
      'Ann Ann Ann Ann Ann Ann | Bo Bo Bo Bo',
    )
  })

  it('replaces {{original}} with the given text, or nothing', () => {
    expect(expandMacros('A {{original}} B', { char: 'c', user: 'u', original: 'X' })).toBe('A X B')
    expect(expandMacros('A {{Original}} B', { char: 'c', user: 'u' })).toBe('A  B')
  })

  it('removes {{// comments}}, even across lines', () => {
    expect(expandMacros('keep{{// drop\nthis}} this', { char: 'c', user: 'u' })).toBe('keep this')
  })

  it('does not expand macros inside the substituted names', () => {
    expect(expandMacros('{{user}} meets {{char}}', { char: 'C', user: '{{char}}' })).toBe(
      '{{char}} meets C',
    )
  })

  it('falls back to a default user name when the display name is blank', () => {
    expect(expandMacros('Hi {{user}}', { char: 'c', user: '  ' })).toBe('Hi User')
  })

  it('leaves unknown macros alone', () => {
    expect(expandMacros('{{random:a,b}} <b>', { char: 'c', user: 'u' })).toBe('{{random:a,b}} <b>')
  })
})

describe('persona prompt parts', () => {
  it('resolves {{char}} to the nickname when one is set', () => {
    const p = persona({
      name: 'Juniper Ash',
      nickname: 'June',
      description: '{{char}} tends bees.',
    })
    expect(personaSheet(p, 'Sam').description).toBe('June tends bees.')
  })

  it('uses the default system prompt when the card has none', () => {
    const p = persona({ name: 'Ann' })
    expect(personaSystemPrompt(p, 'Bo')).toBe(
      expandMacros(DEFAULT_SYSTEM_PROMPT, { char: 'Ann', user: 'Bo' }),
    )
  })

  it('puts the default system prompt where the card says {{original}}', () => {
    const p = persona({ name: 'Ann', systemPrompt: 'Before. {{original}} After, {{user}}.' })
    const expected = `Before. ${expandMacros(DEFAULT_SYSTEM_PROMPT, { char: 'Ann', user: 'Bo' })} After, Bo.`
    expect(personaSystemPrompt(p, 'Bo')).toBe(expected)
  })

  it('replaces the default system prompt when the card has its own without {{original}}', () => {
    expect(personaSystemPrompt(persona({ systemPrompt: 'Only this, {{user}}.' }), 'Bo')).toBe(
      'Only this, Bo.',
    )
  })

  it('expands post-history instructions, with {{original}} empty', () => {
    const p = persona({ name: 'Ann', postHistoryInstructions: '{{original}}Reply as {{char}}.' })
    expect(postHistoryInstructions(p, 'Bo')).toBe('Reply as Ann.')
    expect(postHistoryInstructions(persona(), 'Bo')).toBe('')
  })

  it('never puts creator notes into the system message', () => {
    const p = persona({
      name: 'Ann',
      description: 'Desc {{user}}',
      personality: 'kind',
      scenario: 'a park',
      creatorNotes: 'SECRET {{char}} notes',
    })
    const message = personaSystemMessage(p, 'Bo')
    expect(message).toContain('Desc Bo')
    expect(message).toContain("Ann's personality: kind")
    expect(message).toContain('Scenario: a park')
    expect(message).not.toContain('SECRET')
    expect(p.creatorNotes).toBe('SECRET {{char}} notes')
  })

  it('returns greetings expanded, with alternates by index', () => {
    const p = persona({ name: 'Ann', greeting: 'Hi <USER>', alternateGreetings: ['Yo {{user}}'] })
    expect(personaGreeting(p, 'Bo')).toBe('Hi Bo')
    expect(personaGreeting(p, 'Bo', 1)).toBe('Yo Bo')
    expect(personaGreeting(p, 'Bo', 2)).toBe('')
  })

  it('splits example dialogues at <START> into role-tagged blocks', () => {
    const p = persona({
      name: 'Ann',
      exampleDialogues:
        '<START>\n{{user}}: Hello\n{{char}}: Hi {{user}}\nsecond line\n<start>\n<USER>: Again\nAnn: Named\n<START>\n\n',
    })
    expect(exampleDialogueBlocks(p, 'Bo')).toEqual([
      [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi Bo\nsecond line' },
      ],
      [
        { role: 'user', content: 'Again' },
        { role: 'assistant', content: 'Named' },
      ],
    ])
  })
})

describe('activeLore', () => {
  const opts = { estimateTokens: words, user: 'Bo' }

  it('always includes constant entries and skips disabled ones', () => {
    const p = persona({
      lore: [
        lore({ name: 'always', constant: true }),
        lore({ name: 'off', constant: true, enabled: false }),
        lore({ name: 'keyed', keys: ['dragon'] }),
      ],
    })
    expect(names(activeLore(p, ['nothing here'], opts))).toEqual(['always'])
    expect(names(activeLore(p, ['a Dragon!'], opts))).toEqual(['always', 'keyed'])
  })

  it('matches keys case-insensitively unless the entry is case-sensitive', () => {
    const p = persona({
      lore: [
        lore({ name: 'loose', keys: ['Harlow'] }),
        lore({ name: 'strict', keys: ['Harlow'], caseSensitive: true }),
      ],
    })
    expect(names(activeLore(p, ['the harlow family'], opts))).toEqual(['loose'])
    expect(names(activeLore(p, ['the Harlow family'], opts))).toEqual(['loose', 'strict'])
  })

  it('needs a secondary key as well for selective entries', () => {
    const p = persona({
      lore: [
        lore({ name: 'sel', keys: ['storm'], secondaryKeys: ['route', 'path'], selective: true }),
      ],
    })
    expect(activeLore(p, ['a storm is coming'], opts)).toEqual([])
    expect(names(activeLore(p, ['a storm on our route'], opts))).toEqual(['sel'])
  })

  it('treats a selective entry without secondary keys as a plain keyword entry', () => {
    const p = persona({ lore: [lore({ name: 'sel', keys: ['storm'], selective: true })] })
    expect(names(activeLore(p, ['storm'], opts))).toEqual(['sel'])
  })

  it('matches regex keys and ignores invalid regexes without throwing', () => {
    const p = persona({
      lore: [
        lore({ name: 'rx', keys: ['\\bstars?\\b'], useRegex: true }),
        lore({ name: 'bad', keys: ['([unclosed'], useRegex: true }),
        lore({ name: 'slashed', keys: ['/co+l/'] }),
      ],
    })
    expect(names(activeLore(p, ['STAR light, so cooool'], opts))).toEqual(['rx', 'slashed'])
    expect(activeLore(p, ['starling'], opts)).toEqual([])
  })

  it('scans only the last scanDepth messages', () => {
    const p = persona({ loreScanDepth: 2, lore: [lore({ name: 'k', keys: ['kraken'] })] })
    const history = ['the kraken rises', 'ok', 'and then?']
    expect(activeLore(p, history, opts)).toEqual([])
    expect(names(activeLore(p, history, { ...opts, scanDepth: 3 }))).toEqual(['k'])
    expect(names(activeLore(p, [...history, 'KRAKEN'], opts))).toEqual(['k'])
  })

  it('returns entries in insertion order with macros expanded', () => {
    const p = persona({
      name: 'Ann',
      lore: [
        lore({ name: 'late', constant: true, insertionOrder: 50, content: 'late' }),
        lore({
          name: 'early',
          keys: ['x'],
          insertionOrder: 5,
          content: '{{char}} greets {{user}}',
        }),
      ],
    })
    const active = activeLore(p, ['x'], opts)
    expect(names(active)).toEqual(['early', 'late'])
    expect(active[0]?.content).toBe('Ann greets Bo')
    expect(active[0]?.reason).toEqual({ kind: 'key', key: 'x' })
  })

  it('drops the lowest priority entries first when over the token budget', () => {
    const p = persona({
      loreTokenBudget: 6,
      lore: [
        lore({ name: 'a', constant: true, priority: 5, content: 'one two three' }),
        lore({ name: 'b', keys: ['go'], priority: 1, content: 'four five six' }),
        lore({ name: 'c', keys: ['go'], priority: 9, content: 'seven eight' }),
      ],
    })
    const active = activeLore(p, ['go'], opts)
    expect(names(active)).toEqual(['a', 'c'])
    expect(active.reduce((sum, l) => sum + l.tokens, 0)).toBeLessThanOrEqual(6)
    expect(names(activeLore(p, ['go'], { ...opts, tokenBudget: 2 }))).toEqual(['c'])
  })

  it('honours the cheap V3 decorators and strips them from the content', () => {
    const p = persona({
      lore: [
        lore({ name: 'forced', content: '@@activate\nAlways here.' }),
        lore({ name: 'never', constant: true, content: '@@dont_activate\nNever here.' }),
        lore({ name: 'more', keys: ['cat'], content: '@@additional_keys kitten, feline\nCats.' }),
        lore({ name: 'excl', keys: ['dog'], content: '@@exclude_keys hotdog\nDogs.' }),
        lore({
          name: 'near',
          keys: ['owl'],
          content: '@@scan_depth 1\n@@@unknown fallback\nOwls.',
        }),
      ],
    })
    const active = activeLore(p, ['an owl', 'a feline and a hotdog'], opts)
    expect(names(active)).toEqual(['forced', 'more'])
    expect(active.map((a) => a.content)).toEqual(['Always here.', 'Cats.'])
    expect(names(activeLore(p, ['a dog and an owl'], opts))).toEqual(['forced', 'excl', 'near'])
  })

  it('does not match keys inside {{// comments}}', () => {
    const p = persona({ lore: [lore({ name: 'k', keys: ['secret'] })] })
    expect(activeLore(p, ['hello {{// secret }}'], opts)).toEqual([])
  })

  it('puts the activated lore into the system message', () => {
    const p = persona({
      name: 'Ann',
      lore: [lore({ constant: true, content: 'The sky is green.' })],
    })
    const message = personaSystemMessage(p, 'Bo', activeLore(p, [], opts))
    expect(message.endsWith('The sky is green.')).toBe(true)
  })
})
