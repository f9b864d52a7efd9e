import { describe, expect, it } from 'vitest'
import { buildContext, type HistoryMessage } from '../../../src/core/context-builder.js'
import { AppError } from '../../../src/core/errors.js'
import { MESSAGE_OVERHEAD_TOKENS } from '../../../src/core/token-estimator.js'

// One token per character keeps the arithmetic readable.
const estimate = (t: string) => t.length

const turns = (...contents: string[]): HistoryMessage[] =>
  contents.map((content, i) => ({ id: i + 1, role: i % 2 ? 'assistant' : 'user', content }))

const base = { memory: null, examples: [], postHistory: '', group: false }

describe('buildContext', () => {
  it('keeps every part when the budget allows', () => {
    const built = buildContext(
      {
        ...base,
        system: 'SYS',
        history: turns('a', 'b', 'c'),
        postHistory: 'POST',
        examples: ['EX'],
      },
      { budgetTokens: 1000, estimate },
    )
    expect(built.messages).toEqual([
      { role: 'system', content: 'SYS\n\nEX' },
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
      { role: 'system', content: 'POST' },
    ])
    expect(built.droppedHistory).toBe(0)
  })

  it('drops history oldest first and never trims the fixed parts', () => {
    const system = 'S'.repeat(50)
    const post = 'P'.repeat(20)
    const history = turns('1111111111', '2222222222', '3333333333', '4444444444')
    const fixed = 50 + 20 + 2 * MESSAGE_OVERHEAD_TOKENS
    const twoTurns = 2 * (10 + MESSAGE_OVERHEAD_TOKENS)
    const built = buildContext(
      { ...base, system, postHistory: post, history },
      { budgetTokens: fixed + twoTurns, estimate },
    )
    expect(built.messages[0]?.content).toBe(system)
    expect(built.messages.at(-1)?.content).toBe(post)
    expect(built.messages.slice(1, -1).map((m) => m.content)).toEqual(['3333333333', '4444444444'])
    expect(built.droppedHistory).toBe(2)
    expect(built.oldestIncludedId).toBe(3)
    expect(built.estimatedTokens).toBeLessThanOrEqual(fixed + twoTurns)
  })

  it('adds example dialogues only while room remains after history', () => {
    const history = turns('hello')
    const room = 'SYS'.length + MESSAGE_OVERHEAD_TOKENS + 'hello'.length + MESSAGE_OVERHEAD_TOKENS
    const built = buildContext(
      { ...base, system: 'SYS', history, examples: ['E1E1E1', 'E2E2E2E2E2'] },
      { budgetTokens: room + 8, estimate },
    )
    expect(built.includedExamples).toBe(1)
    expect(built.messages[0]?.content).toBe('SYS\n\nE1E1E1')
  })

  it('prefers history over examples', () => {
    const built = buildContext(
      {
        ...base,
        system: 'S',
        history: turns('x'.repeat(40), 'y'.repeat(40)),
        examples: ['e'.repeat(40)],
      },
      { budgetTokens: 1 + 80 + 3 * MESSAGE_OVERHEAD_TOKENS, estimate },
    )
    expect(built.includedHistory).toBe(2)
    expect(built.includedExamples).toBe(0)
  })

  it('throws CONTEXT_TOO_LARGE when the fixed part and newest message cannot fit', () => {
    let error: unknown
    try {
      buildContext(
        { ...base, system: 'S'.repeat(100), history: turns('hi') },
        { budgetTokens: 50, estimate },
      )
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('CONTEXT_TOO_LARGE')
  })

  it('clips the memory summary to its share of the budget, keeping the newest part', () => {
    const memory = `old facts ${'m'.repeat(400)} newest fact`
    const built = buildContext(
      { ...base, system: 'S', memory, history: turns('hi') },
      { budgetTokens: 400, estimate, memoryShare: 0.25 },
    )
    const system = built.messages[0]?.content ?? ''
    expect(system).toContain('newest fact')
    expect(system).not.toContain('old facts')
    expect(system.length).toBeLessThanOrEqual(1 + 2 + 100)
  })

  it('attributes user turns to speakers in groups only', () => {
    const history: HistoryMessage[] = [
      { id: 1, role: 'user', content: 'hi', speakerName: 'Ann' },
      { id: 2, role: 'assistant', content: 'hello', speakerName: null },
    ]
    const g = buildContext(
      { ...base, system: 'S', history, group: true },
      { budgetTokens: 999, estimate },
    )
    expect(g.messages.map((m) => m.content)).toEqual(['S', 'Ann: hi', 'hello'])
    const d = buildContext({ ...base, system: 'S', history }, { budgetTokens: 999, estimate })
    expect(d.messages[1]?.content).toBe('hi')
  })
})
