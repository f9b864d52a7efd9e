import { describe, expect, it } from 'vitest'
import {
  type PersonaFileResult,
  parsePersonaFile,
  personaIdFromFile,
} from '../../../src/personas/parse-persona-file.js'
import {
  base64Json,
  itxtChunk,
  pngWithText,
  v1Card,
  v2Card,
  v3Card,
  ztxtChunk,
} from '../../fixtures/cards/sample-cards.js'

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8')

function loaded(result: PersonaFileResult) {
  if (!result.ok) throw new Error(`expected a persona, got: ${result.message}`)
  return result
}

function failed(result: PersonaFileResult) {
  if (result.ok) throw new Error('expected the file to be rejected')
  return result
}

describe('Character Card import from JSON', () => {
  it('reads a flat V1 card and keeps its unknown fields', () => {
    const { persona, format, card } = loaded(parsePersonaFile('Old Tom.json', json(v1Card())))
    expect(format).toBe('v1')
    expect(persona).toMatchObject({
      id: 'old-tom',
      name: 'Old Tom',
      description: '{{char}} keeps the lighthouse.',
      greeting: 'Evening, <USER>.',
      exampleDialogues: '<START>\n<USER>: Hi\n<BOT>: Hm.',
      tier: 'free',
      nsfw: false,
      lore: [],
    })
    expect(persona.raw).toEqual(v1Card())
    expect(card.talkativeness).toBe(0.7)
  })

  it('reads the old Pygmalion field names as V1', () => {
    const old = {
      char_name: 'Pyg',
      char_persona: 'desc',
      char_greeting: 'hey',
      world_scenario: 's',
    }
    const { persona } = loaded(parsePersonaFile('pyg.json', json(old)))
    expect(persona).toMatchObject({
      name: 'Pyg',
      description: 'desc',
      greeting: 'hey',
      scenario: 's',
    })
  })

  it('reads a V2 card with its lorebook and our settings', () => {
    const { persona, format } = loaded(
      parsePersonaFile('wren.json', json(v2Card()), { defaultModel: 'llama3.2' }),
    )
    expect(format).toBe('v2')
    expect(persona).toMatchObject({
      id: 'wren',
      name: 'Wren',
      systemPrompt: '{{original}} Be brisk.',
      postHistoryInstructions: 'Stay brief.',
      alternateGreetings: ['Oh, {{user}} again.'],
      creatorNotes: 'Notes about {{char}}',
      model: 'qwen2.5:3b',
      tier: 'premium',
      options: { temperature: 0.5, num_ctx: 8192 },
      loreScanDepth: 5,
      loreTokenBudget: 200,
    })
    expect(persona.lore).toEqual([
      {
        keys: ['parcel'],
        secondaryKeys: [],
        selective: false,
        content: 'Parcels go to the depot.',
        constant: false,
        enabled: true,
        insertionOrder: 2,
        caseSensitive: true,
        priority: 3,
        name: 'depot',
        useRegex: false,
      },
    ])
  })

  it('reads a V3 card with nickname, regex lore and icon asset', () => {
    const { persona, format } = loaded(
      parsePersonaFile('juniper.json', json(v3Card()), { defaultModel: 'llama3.2' }),
    )
    expect(format).toBe('v3')
    expect(persona).toMatchObject({
      name: 'Juniper',
      nickname: 'June',
      model: 'llama3.2',
      avatarUrl: 'https://example.com/june.png',
    })
    expect(persona.lore[0]).toMatchObject({ useRegex: true, keys: ['h(o|i)ney'] })
  })

  it('marks a card tagged NSFW as adult unless our settings say otherwise', () => {
    const card = v3Card()
    ;(card.data as Record<string, unknown>).tags = ['NSFW']
    expect(loaded(parsePersonaFile('a.json', json(card))).persona.nsfw).toBe(true)
    ;(card.data as Record<string, unknown>).extensions = { justlayme: { nsfw: false } }
    expect(loaded(parsePersonaFile('a.json', json(card))).persona.nsfw).toBe(false)
  })
})

describe('Character Card import from PNG', () => {
  it('reads a V2 card from the chara chunk', () => {
    const png = pngWithText({ chara: base64Json(v2Card()) })
    const { persona, format } = loaded(parsePersonaFile('wren.png', png))
    expect(format).toBe('v2')
    expect(persona.name).toBe('Wren')
  })

  it('reads a V3 card from the ccv3 chunk', () => {
    const { persona, format } = loaded(
      parsePersonaFile('june.png', pngWithText({ ccv3: base64Json(v3Card()) })),
    )
    expect(format).toBe('v3')
    expect(persona.nickname).toBe('June')
  })

  it('reads a V1 card from the chara chunk', () => {
    const png = pngWithText({ chara: base64Json(v1Card()) })
    expect(loaded(parsePersonaFile('tom.png', png)).persona.name).toBe('Old Tom')
  })

  it('prefers ccv3 over chara whatever their order, matching keywords case-insensitively', () => {
    const png = pngWithText({ Chara: base64Json(v2Card()), CCV3: base64Json(v3Card('Newer')) })
    expect(loaded(parsePersonaFile('x.png', png)).persona.name).toBe('Newer')
  })

  it('keeps non-Latin text intact through base64', () => {
    const card = v3Card('Ёжик 🦔 ハリネズミ')
    const png = pngWithText({ ccv3: base64Json(card) })
    expect(loaded(parsePersonaFile('hedgehog.png', png)).persona.name).toBe('Ёжик 🦔 ハリネズミ')
  })

  it('reads a card stored in a compressed iTXt chunk', () => {
    const png = pngWithText({}, [itxtChunk('chara', base64Json(v1Card()))])
    expect(loaded(parsePersonaFile('tom.png', png)).persona.name).toBe('Old Tom')
  })

  it('reads a card stored in a zTXt chunk', () => {
    const png = pngWithText({}, [ztxtChunk('ccv3', base64Json(v3Card()))])
    expect(loaded(parsePersonaFile('june.png', png)).persona.name).toBe('Juniper')
  })

  it('reports a PNG without card chunks', () => {
    const result = failed(parsePersonaFile('plain.png', pngWithText({ Comment: 'hi' })))
    expect(result.message).toMatch(/no character card/)
  })

  it('reports a file that is not a PNG, and a truncated one', () => {
    expect(failed(parsePersonaFile('bad.png', Buffer.from('GIF89a'))).message).toMatch(/not a PNG/)
    const png = pngWithText({ chara: base64Json(v1Card()) })
    expect(failed(parsePersonaFile('cut.png', png.subarray(0, png.length - 20))).message).toMatch(
      /truncated/,
    )
  })

  it('reports a chunk that is not base64 JSON, naming the chunk', () => {
    const result = failed(parsePersonaFile('x.png', pngWithText({ ccv3: '!!!not base64!!!' })))
    expect(result.field).toBe('ccv3')
  })
})

describe('validation', () => {
  const broken = (mutate: (card: Record<string, any>) => void): Record<string, any> => {
    const card = v2Card() as Record<string, any>
    mutate(card)
    return card
  }

  it.each([
    [
      'alternate greetings that are not strings',
      (c: Record<string, any>) => {
        c.data.alternate_greetings = 'hi'
      },
      'data.alternate_greetings',
      'data.alternate_greetings must be an array of strings',
    ],
    [
      'a missing name',
      (c: Record<string, any>) => {
        delete c.data.name
      },
      'data.name',
      'data.name must be a non-empty string',
    ],
    [
      'a name longer than 100 characters',
      (c: Record<string, any>) => {
        c.data.name = 'N'.repeat(200_000)
      },
      'data.name',
      'data.name must be at most 100 characters',
    ],
    [
      'a lore entry with bad keys',
      (c: Record<string, any>) => {
        c.data.character_book.entries[0].keys = 'parcel'
      },
      'data.character_book.entries[0].keys',
      'data.character_book.entries[0].keys must be an array of strings',
    ],
    [
      'an unknown tier',
      (c: Record<string, any>) => {
        c.data.extensions.justlayme.tier = 'gold'
      },
      'data.extensions.justlayme.tier',
      "data.extensions.justlayme.tier must be one of 'free', 'premium'",
    ],
    [
      'a non-numeric temperature',
      (c: Record<string, any>) => {
        c.data.extensions.justlayme.options.temperature = 'hot'
      },
      'data.extensions.justlayme.options.temperature',
      'data.extensions.justlayme.options.temperature must be a number',
    ],
    [
      'a data field that is not an object',
      (c: Record<string, any>) => {
        c.data = 'x'
      },
      'data',
      'data must be an object',
    ],
  ])('names the field for %s', (_name, mutate, field, message) => {
    const result = failed(parsePersonaFile('bad.json', json(broken(mutate))))
    expect(result.field).toBe(field)
    expect(result.message).toBe(message)
  })

  it('rejects an unknown spec', () => {
    const result = failed(parsePersonaFile('book.json', json({ spec: 'lorebook_v3', data: {} })))
    expect(result.field).toBe('spec')
  })

  it('reports invalid JSON and YAML without throwing', () => {
    expect(failed(parsePersonaFile('a.json', Buffer.from('{ nope'))).message).toMatch(
      /not valid JSON/,
    )
    expect(failed(parsePersonaFile('a.yaml', Buffer.from('name: [unclosed'))).message).toMatch(
      /not valid YAML/,
    )
    expect(failed(parsePersonaFile('a.yaml', Buffer.from('- just\n- a list'))).message).toMatch(
      /mapping/,
    )
  })

  it('derives ids from file names, limited to [a-z0-9_-]', () => {
    expect(personaIdFromFile('Captain Ilse (v2).card.PNG')).toBe('captain-ilse-v2-card')
    expect(personaIdFromFile('snake_case-ok.yaml')).toBe('snake_case-ok')
    expect(personaIdFromFile('Café.json')).toBe('cafe')
  })
})

describe('YAML personas', () => {
  const yaml = `
name: Pip
greeting: Hello {{user}}
alternate_greetings: [Hey, Hi]
examples:
  - - user: What's up?
    - char: Not much.
  - - user: Bye
    - char: See you.
tags: [test]
lorebook:
  - keys: [moon]
    content: The moon is cheese.
  - keys: [sun]
    constant: true
    content: The sun is hot.
model: mistral
options: { temperature: 0.3, num_ctx: 4096, stop: ["User:"] }
tier: premium
nsfw: false
think: true
avatar_url: https://example.com/pip.png
favourite_colour: teal
`

  it('reads every field of our format', () => {
    const { persona, format } = loaded(parsePersonaFile('pip.yaml', Buffer.from(yaml)))
    expect(format).toBe('yaml')
    expect(persona).toMatchObject({
      id: 'pip',
      name: 'Pip',
      greeting: 'Hello {{user}}',
      alternateGreetings: ['Hey', 'Hi'],
      exampleDialogues:
        "<START>\n{{user}}: What's up?\n{{char}}: Not much.\n<START>\n{{user}}: Bye\n{{char}}: See you.",
      model: 'mistral',
      options: { temperature: 0.3, num_ctx: 4096, stop: ['User:'] },
      tier: 'premium',
      think: true,
      avatarUrl: 'https://example.com/pip.png',
      tags: ['test'],
    })
    expect(persona.lore.map((l) => [l.keys, l.constant, l.insertionOrder])).toEqual([
      [['moon'], false, 100],
      [['sun'], true, 101],
    ])
    expect(persona.raw.favourite_colour).toBe('teal')
  })

  it('names YAML fields as the author wrote them', () => {
    const cases: [string, string][] = [
      ['name: Pip\nalternate_greetings: hi', 'alternate_greetings must be an array of strings'],
      ['name: Pip\nlorebook: [{ keys: moon }]', 'lorebook[0].keys must be an array of strings'],
      [
        'name: Pip\nlorebook: { entries: [{ enabled: maybe }] }',
        'lorebook.entries[0].enabled must be true or false',
      ],
      ['name: Pip\noptions: { num_ctx: -1 }', 'options.num_ctx must be a positive integer'],
      ['name: Pip\ntier: gold', "tier must be one of 'free', 'premium'"],
      [
        'name: Pip\nexamples: [[{ bot: hi }]]',
        'examples[0][0] must be one "user: text" or "char: text"',
      ],
      ['greeting: hi', 'name must be a non-empty string'],
    ]
    for (const [text, message] of cases) {
      expect(failed(parsePersonaFile('pip.yaml', Buffer.from(text))).message).toBe(message)
    }
  })
})

describe('exportable setting', () => {
  it('is true unless YAML `exportable` or card data.extensions.justlayme.exportable says false', () => {
    const yaml = (text: string) => loaded(parsePersonaFile('p.yaml', Buffer.from(text)))
    expect(yaml('name: Open').persona.exportable).toBe(true)
    expect(yaml('name: Shut\nexportable: false').persona.exportable).toBe(false)
    const card = v2Card() as { data: { extensions: Record<string, Record<string, unknown>> } }
    card.data.extensions.justlayme = { ...card.data.extensions.justlayme, exportable: false }
    expect(loaded(parsePersonaFile('c.json', json(card))).persona.exportable).toBe(false)
    expect(
      failed(parsePersonaFile('p.yaml', Buffer.from('name: X\nexportable: nope'))).message,
    ).toMatch(/exportable/)
  })
})
