import { describe, expect, it } from 'vitest'
import { EditScheduler } from '../../../../bots/discord/edit-scheduler.js'

function recorder() {
  const runs: { stream: string; value: number; at: number }[] = []
  const edit = (stream: string, value: number) => async () => {
    runs.push({ stream, value, at: Date.now() })
  }
  return { runs, edit }
}

describe('EditScheduler', () => {
  it('runs the first edit of a channel at once', async () => {
    const scheduler = new EditScheduler({ intervalMs: 200 })
    const { runs, edit } = recorder()
    await scheduler.submit('c1', 's1', edit('s1', 1))
    expect(runs).toEqual([expect.objectContaining({ stream: 's1', value: 1 })])
    scheduler.close()
  })

  it('skips intermediate states: only the latest edit of a stream runs', async () => {
    const scheduler = new EditScheduler({ intervalMs: 100 })
    const { runs, edit } = recorder()
    await scheduler.submit('c1', 's1', edit('s1', 0))
    const waits = [1, 2, 3, 4].map((v) => scheduler.submit('c1', 's1', edit('s1', v)))
    await Promise.all(waits)
    expect(runs.map((r) => r.value)).toEqual([0, 4])
    scheduler.close()
  })

  it('shares one budget between the streams of a channel, taking turns', async () => {
    const scheduler = new EditScheduler({ intervalMs: 100 })
    const { runs, edit } = recorder()
    await Promise.all([
      scheduler.submit('c1', 'a', edit('a', 1)),
      scheduler.submit('c1', 'b', edit('b', 1)),
      scheduler.submit('c1', 'c', edit('c', 1)),
    ])
    expect(runs.map((r) => r.stream)).toEqual(['a', 'b', 'c'])
    for (let i = 1; i < runs.length; i++) {
      expect((runs[i]?.at ?? 0) - (runs[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(95)
    }
    scheduler.close()
  })

  it('keeps channels independent', async () => {
    const scheduler = new EditScheduler({ intervalMs: 10_000 })
    const { runs, edit } = recorder()
    await Promise.all([
      scheduler.submit('c1', 'a', edit('a', 1)),
      scheduler.submit('c2', 'b', edit('b', 1)),
    ])
    expect(runs.map((r) => r.stream).sort()).toEqual(['a', 'b'])
    scheduler.close()
  })

  it('passes an edit failure to its waiters and keeps serving the channel', async () => {
    const scheduler = new EditScheduler({ intervalMs: 20 })
    const { runs, edit } = recorder()
    await expect(
      scheduler.submit('c1', 'a', async () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    await scheduler.submit('c1', 'a', edit('a', 2))
    expect(runs.map((r) => r.value)).toEqual([2])
    scheduler.close()
  })

  it('keeps its distance from a send made outside it', async () => {
    let now = 1_000
    const scheduler = new EditScheduler({ intervalMs: 50, now: () => now })
    const { runs, edit } = recorder()
    scheduler.noteSend('c1')
    now += 10
    const started = Date.now()
    await scheduler.submit('c1', 'a', edit('a', 1))
    expect(Date.now() - started).toBeGreaterThanOrEqual(30)
    expect(runs).toHaveLength(1)
    scheduler.close()
  })

  it('runs a final edit before intermediate edits of other streams', async () => {
    const scheduler = new EditScheduler({ intervalMs: 50 })
    const { runs, edit } = recorder()
    await scheduler.submit('c1', 'a', edit('a', 0))
    const waits = [
      scheduler.submit('c1', 'a', edit('a', 1)),
      scheduler.submit('c1', 'b', edit('b', 1)),
      scheduler.submit('c1', 'c', edit('c', 9), { final: true }),
    ]
    await Promise.all(waits)
    expect(runs.map((r) => `${r.stream}${r.value}`)).toEqual(['a0', 'c9', 'a1', 'b1'])
    scheduler.close()
  })
})
