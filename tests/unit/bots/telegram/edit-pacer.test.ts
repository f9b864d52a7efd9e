import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EditPacer } from '../../../../bots/telegram/edit-pacer.js'

const T0 = 1_000_000

describe('EditPacer (Telegram: ~1 edit/s per private chat, 20/min per group)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** Acquires in order, recording when each acquisition went through. */
  function run(acquires: (() => Promise<void>)[]): { times: number[]; done: Promise<void> } {
    const times: number[] = []
    const done = (async () => {
      for (const acquire of acquires) {
        await acquire()
        times.push(Date.now() - T0)
      }
    })()
    return { times, done }
  }

  it('lets the first edit of a reply go at once, then about one per second in a private chat', async () => {
    const pacer = new EditPacer()
    const { times, done } = run([
      () => pacer.acquire(1, false, 'first'),
      () => pacer.acquire(1, false),
      () => pacer.acquire(1, false),
      () => pacer.acquire(1, false, 'final'),
    ])
    await vi.advanceTimersByTimeAsync(0)
    expect(times).toEqual([0])
    await vi.advanceTimersByTimeAsync(10_000)
    await done
    expect(times).toEqual([0, 1_000, 2_000, 3_000])
  })

  it('keeps a group within 20 edits per minute, shared by its replies, first words at once', async () => {
    const pacer = new EditPacer()
    const stamps: number[] = []
    const reply = async (n: number) => {
      await pacer.acquire(-100, true, 'first')
      stamps.push(Date.now() - T0)
      for (let i = 0; i < n; i++) {
        await pacer.acquire(-100, true)
        stamps.push(Date.now() - T0)
      }
      await pacer.acquire(-100, true, 'final')
      stamps.push(Date.now() - T0)
    }
    const all = Promise.all([reply(15), reply(15), reply(15)])
    await vi.advanceTimersByTimeAsync(0)
    // All three replies show their first words at once.
    expect(stamps).toEqual([0, 0, 0])
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    await all
    expect(stamps).toHaveLength(51)
    const sorted = [...stamps].sort((a, b) => a - b)
    for (const [i, t] of sorted.entries()) {
      expect(sorted.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(20)
      if (i > 0) expect(t).toBeGreaterThanOrEqual(sorted[i - 1] ?? 0)
    }
  })

  it('keeps chats independent', async () => {
    const pacer = new EditPacer()
    await pacer.acquire(1, false, 'first')
    const other = run([() => pacer.acquire(2, false, 'first')])
    await vi.advanceTimersByTimeAsync(0)
    await other.done
    expect(other.times).toEqual([0])
  })
})
