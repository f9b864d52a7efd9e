import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EditScheduler } from '../../../../bots/discord/edit-scheduler.js'

function recorder() {
  const runs: { stream: string; value: number; at: number }[] = []
  const edit = (stream: string, value: number) => async () => {
    runs.push({ stream, value, at: Date.now() })
  }
  return { runs, edit }
}

/** Most writes inside any window of `ms` starting at one of them. */
function maxInWindow(times: readonly number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (const [i, t] of sorted.entries()) {
    most = Math.max(most, sorted.slice(i).filter((u) => u < t + ms).length)
  }
  return most
}

describe('EditScheduler (Discord: 5 writes per 5 s per channel)', () => {
  let scheduler: EditScheduler

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
    scheduler = new EditScheduler()
  })
  afterEach(() => {
    scheduler.close()
    vi.useRealTimers()
  })

  it('shows a reply’s first words right after its placeholder, before any pacing delay', async () => {
    const { runs, edit } = recorder()
    scheduler.noteSend('c1')
    const placeholderAt = Date.now()
    const done = scheduler.submit('c1', 's1', edit('s1', 1), { first: true })
    await vi.advanceTimersByTimeAsync(0)
    await done
    expect(runs).toEqual([{ stream: 's1', value: 1, at: placeholderAt }])
  })

  it('spreads a long reply’s edits over the window and never exceeds 5 writes per 5 s', async () => {
    const { runs, edit } = recorder()
    scheduler.noteSend('c1')
    const writes = [Date.now()]
    let value = 0
    const all: Promise<void>[] = [
      scheduler.submit('c1', 's1', edit('s1', value++), { first: true }),
    ]
    // A token every 50 ms for 30 s.
    for (let t = 0; t < 30_000; t += 50) {
      all.push(scheduler.submit('c1', 's1', edit('s1', value++)))
      await vi.advanceTimersByTimeAsync(50)
    }
    all.push(scheduler.submit('c1', 's1', edit('s1', 9_999), { final: true }))
    await vi.advanceTimersByTimeAsync(10_000)
    await Promise.all(all)
    writes.push(...runs.map((r) => r.at))
    expect(maxInWindow(writes, 5_000)).toBeLessThanOrEqual(5)
    // Still a live reply: at least one edit every ~1.5 s.
    expect(runs.length).toBeGreaterThanOrEqual(20)
    expect(runs.at(-1)?.value).toBe(9_999)
  })

  it('shares one budget between the replies of a channel: bursts stay within 5 per 5 s', async () => {
    const { runs, edit } = recorder()
    const writes: number[] = []
    const all: Promise<void>[] = []
    for (let placeholders = 0; placeholders < 3; placeholders++) {
      scheduler.noteSend('c1')
      writes.push(Date.now())
    }
    await vi.advanceTimersByTimeAsync(300)
    for (const s of ['a', 'b', 'c'])
      all.push(scheduler.submit('c1', s, edit(s, 1), { first: true }))
    for (let t = 0; t < 8_000; t += 100) {
      for (const s of ['a', 'b', 'c']) all.push(scheduler.submit('c1', s, edit(s, 2)))
      await vi.advanceTimersByTimeAsync(100)
    }
    for (const s of ['a', 'b', 'c'])
      all.push(scheduler.submit('c1', s, edit(s, 3), { final: true }))
    await vi.advanceTimersByTimeAsync(20_000)
    await Promise.all(all)
    writes.push(...runs.map((r) => r.at))
    expect(maxInWindow(writes, 5_000)).toBeLessThanOrEqual(5)
    // The first two replies show words at once; every reply ends with its final text.
    // (Edits in a channel run one after another: the second starts a timer tick later.)
    for (const r of runs.slice(0, 2)) expect(r.at - 1_000_000).toBeLessThanOrEqual(302)
    for (const s of ['a', 'b', 'c'])
      expect(runs.filter((r) => r.stream === s).at(-1)?.value).toBe(3)
  })

  it('skips intermediate states: only the latest edit of a stream runs', async () => {
    const { runs, edit } = recorder()
    const first = scheduler.submit('c1', 's1', edit('s1', 0), { first: true })
    await vi.advanceTimersByTimeAsync(0)
    await first
    const waits = [1, 2, 3, 4].map((v) => scheduler.submit('c1', 's1', edit('s1', v)))
    await vi.advanceTimersByTimeAsync(5_000)
    await Promise.all(waits)
    expect(runs.map((r) => r.value)).toEqual([0, 4])
  })

  it('runs a final edit before intermediate edits of other streams', async () => {
    const { runs, edit } = recorder()
    for (let i = 0; i < 4; i++) scheduler.noteSend('c1')
    const first = scheduler.submit('c1', 'a', edit('a', 0), { first: true })
    await vi.advanceTimersByTimeAsync(0)
    await first
    const waits = [
      scheduler.submit('c1', 'a', edit('a', 1)),
      scheduler.submit('c1', 'b', edit('b', 1)),
      scheduler.submit('c1', 'c', edit('c', 9), { final: true }),
    ]
    await vi.advanceTimersByTimeAsync(20_000)
    await Promise.all(waits)
    expect(runs.map((r) => `${r.stream}${r.value}`)).toEqual(['a0', 'c9', 'a1', 'b1'])
  })

  it('keeps channels independent', async () => {
    const { runs, edit } = recorder()
    for (let i = 0; i < 5; i++) scheduler.noteSend('c1')
    const waits = [
      scheduler.submit('c1', 'a', edit('a', 1), { first: true }),
      scheduler.submit('c2', 'b', edit('b', 1), { first: true }),
    ]
    await vi.advanceTimersByTimeAsync(0)
    expect(runs.map((r) => r.stream)).toEqual(['b'])
    await vi.advanceTimersByTimeAsync(6_000)
    await Promise.all(waits)
    expect(runs.map((r) => r.stream)).toEqual(['b', 'a'])
  })

  it('passes an edit failure to its waiters and keeps serving the channel', async () => {
    const { runs, edit } = recorder()
    const failing = scheduler.submit('c1', 'a', async () => {
      throw new Error('boom')
    })
    const failed = expect(failing).rejects.toThrow('boom')
    await vi.advanceTimersByTimeAsync(0)
    await failed
    const next = scheduler.submit('c1', 'a', edit('a', 2), { final: true })
    await vi.advanceTimersByTimeAsync(5_000)
    await next
    expect(runs.map((r) => r.value)).toEqual([2])
  })
})
