import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src/core/errors.js'
import { sanitizeInput, validateInput } from '../../../src/core/input.js'

const codeOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    return err instanceof AppError ? err.code : 'other'
  }
  return undefined
}

describe('input validation', () => {
  it('strips control characters but keeps newlines and tabs', () => {
    expect(sanitizeInput('a\u0000b\u0007c\td\r\ne\u009bf')).toBe('abc\td\nef')
  })

  it('refuses empty or whitespace-only input', () => {
    expect(codeOf(() => validateInput('   \n\t', 10))).toBe('INVALID_INPUT')
    expect(codeOf(() => validateInput('\u0001\u0002', 10))).toBe('INVALID_INPUT')
  })

  it('refuses input longer than the limit, counting characters not UTF-16 units', () => {
    expect(validateInput('😀'.repeat(10), 10)).toBe('😀'.repeat(10))
    expect(codeOf(() => validateInput('x'.repeat(11), 10))).toBe('INPUT_TOO_LONG')
  })

  it('refuses a message made only of invisible characters but keeps them inside text', () => {
    expect(codeOf(() => validateInput('\u200b\u200c\u200d\u2060\ufeff\u00a0', 10))).toBe(
      'INVALID_INPUT',
    )
    expect(validateInput('zero\u200bwidth 👩🏽\u200d💻', 20)).toBe('zero\u200bwidth 👩🏽\u200d💻')
  })

  it('trims surrounding whitespace', () => {
    expect(validateInput('  hi  ', 10)).toBe('hi')
  })
})
