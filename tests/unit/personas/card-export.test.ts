import { describe, expect, it } from 'vitest'
import type { Persona } from '../../../src/core/persona.js'
import { cardToPng, exportCardV3, toV2Card } from '../../../src/personas/card-export.js'
import type { CharacterCardV3 } from '../../../src/personas/card-to-persona.js'
import { parsePersonaFile } from '../../../src/personas/parse-persona-file.js'
import { pngTextChunks, readPngChunks } from '../../../src/personas/png-chunks.js'
import { pngWithText, v1Card, v2Card, v3Card } from '../../fixtures/cards/sample-cards.js'

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8')

function load(file: string, bytes: Uint8Array): { persona: Persona; card: CharacterCardV3 } {
  const result = parsePersonaFile(file, bytes, { defaultModel: 'llama3.2' })
  if (!result.ok) throw new Error(result.message)
  return result
}

/** The persona fields that matter, without where it came from. */
function essence(p: Persona): Omit<Persona, 'raw' | 'sourceFile'> {
  const { raw: _raw, sourceFile: _file, ...rest } = p
  return rest
}

const yaml = `
name: Pip
greeting: Hi {{user}}
examples: [[{ user: a }, { char: b }]]
lorebook: { scan_depth: 2, entries: [{ keys: [moon], content: cheese, priority: 4 }] }
options: { temperature: 0.3 }
tier: premium
favourite_colour: teal
`

describe('exportCardV3', () => {
  it.each([
    ['a V1 card', 'tom.json', json(v1Card())],
    ['a V2 card', 'wren.json', json(v2Card())],
    ['a V3 card', 'june.json', json(v3Card())],
    ['a YAML persona', 'pip.yaml', Buffer.from(yaml)],
  ])('round-trips %s without loss (import, export, import)', (_name, file, bytes) => {
    const first = load(file, bytes)
    const exported = exportCardV3(first.card, first.persona)
    const again = load(file.replace(/\.\w+$/, '.json'), json(exported))
    expect(essence(again.persona)).toEqual(essence(first.persona))
    expect(exportCardV3(again.card, again.persona)).toEqual(exported)
  })

  it('writes a valid V3 card with every V2/V3 field and our settings', () => {
    const { card, persona } = load('tom.json', json(v1Card()))
    const exported = exportCardV3(card, persona)
    expect(exported.spec).toBe('chara_card_v3')
    expect(exported.spec_version).toBe('3.0')
    for (const field of [
      'name',
      'description',
      'personality',
      'scenario',
      'first_mes',
      'mes_example',
      'creator_notes',
      'system_prompt',
      'post_history_instructions',
      'alternate_greetings',
      'tags',
      'creator',
      'character_version',
      'extensions',
      'group_only_greetings',
    ]) {
      expect(exported.data, field).toHaveProperty(field)
    }
    expect(exported.data.extensions).toEqual({
      justlayme: { tier: 'free', nsfw: false, think: false },
    })
  })

  it('keeps unknown fields, foreign extensions and lorebook fields of an imported card', () => {
    const { card, persona } = load('wren.json', json(v2Card()))
    const exported = exportCardV3(card, persona) as Record<string, any>
    const original = v2Card() as Record<string, any>
    expect(exported.top_level_extra).toEqual({ keep: true })
    expect(exported.data.unknown_data_field).toEqual([1, 2, 3])
    expect(exported.data.extensions['agnai/voice']).toEqual({ id: 'x' })
    expect(exported.data.extensions.justlayme).toEqual({
      ...original.data.extensions.justlayme,
      nsfw: false,
      think: false,
    })
    expect(exported.data.character_book).toEqual(original.data.character_book)
  })

  it('keeps V3-only fields (assets, source, multilingual notes, dates)', () => {
    const { card, persona } = load('june.json', json(v3Card()))
    const exported = exportCardV3(card, persona) as Record<string, any>
    const original = v3Card() as Record<string, any>
    for (const key of [
      'assets',
      'source',
      'creator_notes_multilingual',
      'creation_date',
      'modification_date',
      'group_only_greetings',
    ]) {
      expect(exported.data[key], key).toEqual(original.data[key])
    }
  })

  it('keeps a V1 card’s extra top-level fields', () => {
    const { card, persona } = load('tom.json', json(v1Card()))
    expect(exportCardV3(card, persona).talkativeness).toBe(0.7)
  })

  it('returns a copy: changing it does not change the loaded card', () => {
    const { card, persona } = load('wren.json', json(v2Card()))
    const exported = exportCardV3(card, persona) as Record<string, any>
    exported.data.name = 'changed'
    expect(exportCardV3(card, persona).data.name).toBe('Wren')
  })
})

describe('PNG export', () => {
  it('writes both ccv3 and a V2 chara backfill, and reads back as the same persona', () => {
    const first = load('june.json', json(v3Card()))
    const card = exportCardV3(first.card, first.persona)
    const png = cardToPng(card)
    const texts = pngTextChunks(png)
    const v2 = JSON.parse(Buffer.from(texts.get('chara') ?? '', 'base64').toString('utf8'))
    expect(v2.spec).toBe('chara_card_v2')
    expect(v2.spec_version).toBe('2.0')
    expect(v2.data.character_book.entries[0].content).toBe('Honey is harvested in August.')
    const again = load('june.png', png)
    expect(essence(again.persona)).toEqual(essence(first.persona))
  })

  it('replaces old card chunks of an existing picture and keeps the image chunks', () => {
    const picture = pngWithText({ chara: 'old', Comment: 'keep me' })
    const { card, persona } = load('wren.json', json(v2Card()))
    const png = cardToPng(exportCardV3(card, persona), picture)
    const types = readPngChunks(png).map((c) => c.type)
    expect(types[0]).toBe('IHDR')
    expect(types.at(-1)).toBe('IEND')
    expect(types.filter((t) => t === 'tEXt')).toHaveLength(3)
    expect(pngTextChunks(png).get('comment')).toBe('keep me')
    expect(load('wren.png', png).persona.name).toBe('Wren')
  })

  it('strips decorators only from the V2 backfill', () => {
    const { card, persona } = load('june.json', json(v3Card()))
    const exported = exportCardV3(card, persona)
    const v2 = toV2Card(exported) as Record<string, any>
    expect(v2.data.character_book.entries[0].content).toBe('Honey is harvested in August.')
    expect((exported.data as Record<string, any>).character_book.entries[0].content).toBe(
      '@@scan_depth 1\nHoney is harvested in August.',
    )
  })
})
