import { describe, expect, it } from 'vitest'
import { CircuitBreaker } from '../../../src/llm/circuit-breaker.js'

const breakerAt = (clock: { now: number }) =>
  new CircuitBreaker({ now: () => clock.now }, { failureThreshold: 3, openMs: 1000 })

describe('CircuitBreaker', () => {
  it('stays closed until the threshold of consecutive failures', () => {
    const breaker = breakerAt({ now: 0 })
    breaker.recordFailure()
    breaker.recordFailure()
    expect(breaker.state).toBe('closed')
    expect(breaker.isAvailable()).toBe(true)
    breaker.recordFailure()
    expect(breaker.state).toBe('open')
    expect(breaker.isAvailable()).toBe(false)
  })

  it('forgets failures after a success', () => {
    const breaker = breakerAt({ now: 0 })
    breaker.recordFailure()
    breaker.recordFailure()
    breaker.recordSuccess()
    breaker.recordFailure()
    breaker.recordFailure()
    expect(breaker.state).toBe('closed')
  })

  it('lets exactly one probe through once the open time has passed', () => {
    const clock = { now: 0 }
    const breaker = breakerAt(clock)
    for (let i = 0; i < 3; i++) breaker.recordFailure()
    clock.now = 999
    expect(breaker.acquire()).toBe(false)
    clock.now = 1000
    expect(breaker.acquire()).toBe(true)
    expect(breaker.state).toBe('half-open')
    expect(breaker.acquire()).toBe(false)
  })

  it('closes when the probe succeeds', () => {
    const clock = { now: 0 }
    const breaker = breakerAt(clock)
    for (let i = 0; i < 3; i++) breaker.recordFailure()
    clock.now = 1000
    breaker.acquire()
    breaker.recordSuccess()
    expect(breaker.state).toBe('closed')
    expect(breaker.downSince).toBeNull()
  })

  it('re-opens for another full period when the probe fails', () => {
    const clock = { now: 0 }
    const breaker = breakerAt(clock)
    for (let i = 0; i < 3; i++) breaker.recordFailure()
    clock.now = 1000
    breaker.acquire()
    breaker.recordFailure()
    expect(breaker.state).toBe('open')
    clock.now = 1999
    expect(breaker.isAvailable()).toBe(false)
    clock.now = 2000
    expect(breaker.isAvailable()).toBe(true)
  })

  it('gives the probe back when it ended without an answer', () => {
    const clock = { now: 0 }
    const breaker = breakerAt(clock)
    for (let i = 0; i < 3; i++) breaker.recordFailure()
    clock.now = 1000
    breaker.acquire()
    breaker.release()
    expect(breaker.acquire()).toBe(true)
  })

  it('remembers when the outage began', () => {
    const clock = { now: 50 }
    const breaker = breakerAt(clock)
    breaker.recordFailure()
    clock.now = 80
    breaker.recordFailure()
    expect(breaker.downSince).toBe(50)
  })
})
