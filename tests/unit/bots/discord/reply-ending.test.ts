import { describe, expect, it } from 'vitest'
import { replyEnding } from '../../../../bots/discord/reply-ending.js'
import { userMessageFor } from '../../../../bots/shared/user-messages.js'

describe('replyEnding', () => {
  it('marks a reply the person stopped quietly, keeps its text and offers Regenerate', () => {
    expect(replyEnding({ code: 'CANCELLED', params: {} }, 'Once upon')).toEqual({
      body: 'Once upon',
      footer: '\n\n*(stopped)*',
      regenerate: true,
    })
  })

  it('says a reply was stopped before any text came, without Regenerate', () => {
    expect(replyEnding({ code: 'CANCELLED', params: {} }, undefined)).toEqual({
      body: '*(stopped)*',
      footer: '',
      regenerate: false,
    })
  })

  it('offers Regenerate for a reply a restart cut before any text came', () => {
    const error = { code: 'CANCELLED', params: { restarting: 1 } } as const
    expect(replyEnding(error, '  ')).toEqual({
      body: `⚠️ ${userMessageFor(error)}`,
      footer: '',
      regenerate: true,
    })
  })

  it('shows a failure under the partial text and no Regenerate for a reply that never began', () => {
    const error = { code: 'INTERNAL', params: {} } as const
    expect(replyEnding(error, 'Half a')).toEqual({
      body: 'Half a',
      footer: `\n\n⚠️ ${userMessageFor(error)}`,
      regenerate: false,
    })
    expect(replyEnding(error, undefined).regenerate).toBe(false)
  })
})
