import { describe, expect, it } from 'vitest'
import { shortenAtWord } from '../../../src/core/shorten.js'

describe('shortenAtWord', () => {
  it('keeps text that fits, on one line', () => {
    expect(shortenAtWord('A  ship\npilot.', 90)).toBe('A ship pilot.')
  })

  it('cuts at the last word boundary and ends with an ellipsis', () => {
    const out = shortenAtWord(
      'Varga is the navigator of the Meridian Gull, a patched-up cargo airship',
      40,
    )
    expect(out).toBe('Varga is the navigator of the Meridian…')
    expect(out.length).toBeLessThanOrEqual(40)
  })

  it('drops punctuation left before the ellipsis', () => {
    expect(shortenAtWord('one two, three four five six', 10)).toBe('one two…')
  })
})
