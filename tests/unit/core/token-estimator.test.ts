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
})
