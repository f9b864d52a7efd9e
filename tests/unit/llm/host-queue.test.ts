import { describe, expect, it } from 'vitest'
import { HostQueue } from '../../../src/llm/host-queue.js'

function gate() {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

describe('HostQueue', () => {
  it('runs higher priority first and equal priorities in arrival order', async () => {
    const depths: number[] = []
    const queue = new HostQueue({ onDepth: (d) => depths.push(d) }, { concurrency: 1 })
    const order: string[] = []
    const first = gate()
    const blocker = queue.run(() => first.opened, { priority: 0, onPosition: () => {} })
    const jobs = [
      ['free-a', 0],
      ['free-b', 0],
      ['premium', 10],
    ].map(([name, priority]) =>
      queue.run(async () => void order.push(String(name)), {
        priority: Number(priority),
        onPosition: () => {},
      }),
    )
    expect(queue.waiting).toBe(3)
    first.open()
    await Promise.all([blocker, ...jobs])
    expect(order).toEqual(['premium', 'free-a', 'free-b'])
    expect(depths.at(-1)).toBe(0)
  })

  it('tells each waiter its position whenever it changes', async () => {
    const queue = new HostQueue({ onDepth: () => {} }, { concurrency: 1 })
    const first = gate()
    const positions: Record<string, number[]> = { a: [], b: [] }
    const running = queue.run(() => first.opened, { priority: 0, onPosition: () => {} })
    const a = queue.run(async () => {}, { priority: 0, onPosition: (p) => positions.a?.push(p) })
    const b = queue.run(async () => {}, { priority: 0, onPosition: (p) => positions.b?.push(p) })
    const c = queue.run(async () => {}, { priority: 5, onPosition: () => {} })
    expect(positions).toEqual({ a: [1, 2], b: [2, 3] })
    first.open()
    await Promise.all([running, a, b, c])
    expect(positions).toEqual({ a: [1, 2, 1], b: [2, 3, 2, 1] })
  })

  it('removes an aborted waiter without running it', async () => {
    const queue = new HostQueue({ onDepth: () => {} }, { concurrency: 1 })
    const first = gate()
    const running = queue.run(() => first.opened, { priority: 0, onPosition: () => {} })
    const controller = new AbortController()
    let ran = false
    const waiting = queue.run(
      async () => {
        ran = true
      },
      { priority: 0, signal: controller.signal, onPosition: () => {} },
    )
    controller.abort()
    await expect(waiting).rejects.toBeDefined()
    expect(queue.waiting).toBe(0)
    first.open()
    await running
    expect(ran).toBe(false)
  })

  it('reports load relative to concurrency', async () => {
    const queue = new HostQueue({ onDepth: () => {} }, { concurrency: 2 })
    const g = gate()
    const runs = [1, 2, 3].map(() =>
      queue.run(() => g.opened, { priority: 0, onPosition: () => {} }),
    )
    expect(queue.running).toBe(2)
    expect(queue.waiting).toBe(1)
    expect(queue.load).toBe(1.5)
    expect(queue.full).toBe(true)
    g.open()
    await Promise.all(runs)
    expect(queue.full).toBe(false)
  })
})
