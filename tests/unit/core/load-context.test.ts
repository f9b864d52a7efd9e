import { afterEach, describe, expect, it } from 'vitest'
import { HISTORY_WINDOW, loadContext, WindowHints } from '../../../src/core/load-context.js'
import type { ConversationStore } from '../../../src/core/ports/stores.js'
import { type Harness, harness, makePersona } from './fixtures.js'

let h: Harness
afterEach(async () => {
  await h.close()
})

/** Counts how many rows each `recent` call asked for. */
function counting(store: ConversationStore): { store: ConversationStore; limits: number[] } {
  const limits: number[] = []
  return {
    limits,
    store: {
      ...store,
      recent: (id, limit, before) => {
        limits.push(limit)
        return store.recent(id, limit, before)
      },
      get: (id) => store.get(id),
    } as ConversationStore,
  }
}

async function conversationWith(h: Harness, messages: number, size: number) {
  const { conversation } = await h.stores.conversations.getOrCreate('account:x', 'p', 'direct', 0)
  for (let i = 0; i < messages; i++) {
    await h.stores.conversations.append({
      conversationId: conversation.id,
      role: i % 2 ? 'assistant' : 'user',
      content: `${i} ${'w'.repeat(size)}`,
      status: 'complete',
      createdAt: i,
    })
  }
  return conversation
}

describe('loadContext', () => {
  const persona = makePersona({ id: 'p' })
  const estimate = (t: string) => Math.ceil(t.length / 4)

  it('fetches only a little more than fitted last time once the history overflows', async () => {
    h = await harness()
    const conversation = await conversationWith(h, 300, 200)
    const { store, limits } = counting(h.stores.conversations)
    const hints = new WindowHints()
    const req = {
      conversation,
      persona,
      userName: 'Ann',
      group: false,
      budgetTokens: 2000,
      estimate,
    }
    const first = await loadContext(store, hints, req)
    expect(first.overflow).toBe(true)
    const second = await loadContext(store, hints, req)
    expect(limits[0]).toBe(HISTORY_WINDOW)
    expect(limits[1]).toBe(first.built.includedHistory + 16)
    expect(second.built.includedHistory).toBe(first.built.includedHistory)
    expect(second.built.messages.at(-1)?.content).toMatch(/^299 /)
  })

  it('takes the full window again when everything fetched fitted', async () => {
    h = await harness()
    const conversation = await conversationWith(h, 100, 4)
    const { store, limits } = counting(h.stores.conversations)
    const hints = new WindowHints()
    hints.set(conversation.id, 10)
    const loaded = await loadContext(store, hints, {
      conversation,
      persona,
      userName: 'Ann',
      group: false,
      budgetTokens: 100_000,
      estimate,
    })
    expect(limits).toEqual([26, HISTORY_WINDOW])
    expect(loaded.built.includedHistory).toBe(100)
    expect(loaded.overflow).toBe(false)
  })
})
