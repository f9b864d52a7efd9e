import { describe, expect, it } from 'vitest'
import {
  DEFAULT_CHARS_PER_TOKEN,
  MESSAGE_OVERHEAD_TOKENS,
  TokenEstimator,
} from '../../../src/core/token-estimator.js'

describe('TokenEstimator', () => {
  it('starts from the default ratio', () => {
    const e = new TokenEstimator()
    expect(e.estimate('m', 'x'.repeat(35))).toBe(Math.ceil(35 / DEFAULT_CHARS_PER_TOKEN))
    expect(e.estimate('m', '')).toBe(0)
  })

  it('takes the first observation as the ratio, net of per-message overhead', () => {
    const e = new TokenEstimator()
    e.observe('m', 4000, 1000 + 3 * MESSAGE_OVERHEAD_TOKENS, 3)
    expect(e.ratio('m')).toBeCloseTo(4)
  })

  it('moves towards new observations as a moving average, per model', () => {
    const e = new TokenEstimator({ alpha: 0.5 })
    e.observe('a', 400, 100)
    e.observe('a', 200, 100)
    expect(e.ratio('a')).toBeCloseTo(3)
    expect(e.ratio('b')).toBe(DEFAULT_CHARS_PER_TOKEN)
  })

  it('converges on a model that tokenizes densely', () => {
    const e = new TokenEstimator()
    for (let i = 0; i < 30; i++) e.observe('m', 2000, 1000)
    expect(e.ratio('m')).toBeCloseTo(2, 1)
    expect(e.forModel('m')('x'.repeat(100))).toBe(50)
  })

  it('ignores nonsense observations', () => {
    const e = new TokenEstimator()
    e.observe('m', 100, 0)
    e.observe('m', 0, 50)
    e.observe('m', 100, 2, 5)
    expect(e.ratio('m')).toBe(DEFAULT_CHARS_PER_TOKEN)
  })

  it('rejects implausible prompt_eval_count values (outside 1.5-6 characters per token)', () => {
    const e = new TokenEstimator()
    // Served from the prompt cache by an Ollama that counts only new tokens: 20 for 8,000 chars.
    expect(e.observe('m', 8_000, 20)).toBe(false)
    // A count far above the characters sent.
    expect(e.observe('m', 1_000, 900)).toBe(false)
    expect(e.ratio('m')).toBe(DEFAULT_CHARS_PER_TOKEN)
    expect(e.observe('m', 1_000, 250)).toBe(true)
    expect(e.ratio('m')).toBeCloseTo(4)
  })

  it('ignores samples from prompts Ollama may have truncated to num_ctx', () => {
    const e = new TokenEstimator()
    // 20,000 characters into a 4,096 context: Ollama dropped messages and counted 4,000.
    expect(e.observe('m', 20_000, 4_000, 10, 4_096)).toBe(false)
    // The characters alone estimate past 90 % of num_ctx: the count cannot be trusted either.
    expect(e.observe('m', 13_000, 3_000, 2, 4_096)).toBe(false)
    expect(e.ratio('m')).toBe(DEFAULT_CHARS_PER_TOKEN)
    expect(e.observe('m', 4_000, 1_000 + 2 * MESSAGE_OVERHEAD_TOKENS, 2, 4_096)).toBe(true)
    expect(e.ratio('m')).toBeCloseTo(4)
  })

  it('never lets one bad sample make the context overflow num_ctx', () => {
    const e = new TokenEstimator({ alpha: 1 })
    const numCtx = 4_096
    // Learned: this model's tokenizer gives 3 characters per token.
    e.observe('m', 3_000, 1_004, 1, numCtx)
    expect(e.ratio('m')).toBeCloseTo(3, 1)
    // A cache-shrunk count and a truncated prompt would each have moved the ratio to nonsense.
    e.observe('m', 12_000, 5, 1, numCtx)
    e.observe('m', 30_000, 4_090, 1, numCtx)
    // So the budget the context builder fills still fits num_ctx at the true 3 chars/token.
    const chars = (numCtx - 512) * e.ratio('m')
    expect(Math.ceil(chars / 3)).toBeLessThanOrEqual(numCtx)
  })
})
