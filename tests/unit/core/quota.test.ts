import { describe, expect, it } from 'vitest'
import { formatDuration, msUntilUtcMidnight, utcDay } from '../../../src/core/quota.js'

describe('quota helpers', () => {
  it('names the UTC day', () => {
    expect(utcDay(Date.UTC(2026, 10, 26, 23, 59, 59))).toBe('2026-11-26')
    expect(utcDay(Date.UTC(2026, 10, 27, 0, 0, 0))).toBe('2026-11-27')
  })

  it('counts the time to the next UTC midnight', () => {
    expect(msUntilUtcMidnight(Date.UTC(2026, 10, 26, 20, 48))).toBe((3 * 60 + 12) * 60_000)
  })

  it('formats durations for people', () => {
    expect(formatDuration((3 * 60 + 12) * 60_000)).toBe('3 h 12 min')
    expect(formatDuration(45 * 60_000)).toBe('45 min')
    expect(formatDuration(2 * 3_600_000)).toBe('2 h')
    expect(formatDuration(10_000)).toBe('less than a minute')
  })
})
