import { describe, expect, it } from 'vitest'
import { userMessageFor } from '../../../../bots/shared/user-messages.js'
import type { AppErrorCode } from '../../../../src/core/errors.js'

const CODES: AppErrorCode[] = [
  'LLM_UNAVAILABLE',
  'LLM_LOADING',
  'LLM_BUSY',
  'LLM_TIMEOUT',
  'MODEL_MISSING',
  'CONTEXT_TOO_LARGE',
  'QUOTA_EXCEEDED',
  'PREMIUM_REQUIRED',
  'ADULT_NOT_ALLOWED',
  'INPUT_TOO_LONG',
  'PERSONA_NOT_FOUND',
  'NOT_ENABLED',
  'NOT_ALLOWED',
  'RATE_LIMITED',
  'CANCELLED',
  'INVALID_INPUT',
  'INTERNAL',
]

describe('userMessageFor', () => {
  it('has a sentence for every code, without placeholders left in', () => {
    for (const code of CODES) {
      const text = userMessageFor({ code, params: {} })
      expect(text.length).toBeGreaterThan(5)
      expect(text).not.toMatch(/undefined|\[object/)
    }
  })

  it('fills in what the person needs: wait time, limits, reset time, the model to pull', () => {
    expect(userMessageFor({ code: 'LLM_BUSY', params: { retryAfterSeconds: 12 } })).toMatch(
      /in 12 s/,
    )
    expect(
      userMessageFor({
        code: 'QUOTA_EXCEEDED',
        params: { limit: 50, resetIn: '3 h 2 min', tier: 'free' },
      }),
    ).toMatch(/all 50 messages.*resets in 3 h 2 min.*\/subscribe/)
    expect(
      userMessageFor({
        code: 'QUOTA_EXCEEDED',
        params: { limit: 1000, resetIn: '1 h', tier: 'premium' },
      }),
    ).not.toMatch(/subscribe/)
    expect(userMessageFor({ code: 'MODEL_MISSING', params: { model: 'qwen3:8b' } })).toContain(
      'ollama pull qwen3:8b',
    )
    expect(
      userMessageFor({ code: 'INPUT_TOO_LONG', params: { length: 5000, limit: 4000 } }),
    ).toMatch(/5000 characters.*under 4000/)
  })

  it('says a reply broke off instead of claiming the server is offline when text already arrived', () => {
    expect(userMessageFor({ code: 'LLM_UNAVAILABLE', params: {} })).toMatch(/offline right now/)
    expect(userMessageFor({ code: 'LLM_UNAVAILABLE', params: { midReply: 1 } })).toMatch(
      /stopped answering partway through/,
    )
    expect(userMessageFor({ code: 'LLM_TIMEOUT', params: { midReply: 1 } })).toMatch(
      /partway through/,
    )
  })
})

describe('subscriptions switched off', () => {
  it('never tells anyone to /subscribe when the server sells no subscriptions', () => {
    const quota = userMessageFor({
      code: 'QUOTA_EXCEEDED',
      params: { limit: 50, tier: 'free', resetIn: '3 h', subscribe: 'no' },
    })
    expect(quota).not.toContain('/subscribe')
    const premium = userMessageFor({
      code: 'PREMIUM_REQUIRED',
      params: { persona: 'Rook', subscribe: 'no' },
    })
    expect(premium).not.toContain('/subscribe')
    expect(premium).toContain('a bot admin can give you premium')
    expect(
      userMessageFor({ code: 'PREMIUM_REQUIRED', params: { persona: 'Rook', subscribe: 'yes' } }),
    ).toContain('Run /subscribe')
  })
})
