import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src/core/errors.js'
import { SingleFlight } from '../../../src/core/single-flight.js'

describe('SingleFlight', () => {
  it('lets a second turn of the same key start only after the first releases', async () => {
    const flight = new SingleFlight()
    const order: string[] = []
    const first = await flight.acquire('a', undefined)
    const positions: number[] = []
    const second = flight
      .acquire('a', undefined, (p) => positions.push(p))
      .then((t) => {
        order.push('second started')
        return t
      })
    await Promise.resolve()
    order.push('first done')
    first.release()
    ;(await second).release()
    expect(order).toEqual(['first done', 'second started'])
    expect(positions).toEqual([1])
    expect(flight.size('a')).toBe(0)
  })

  it('does not make different keys wait for each other', async () => {
    const flight = new SingleFlight()
    const a = await flight.acquire('a', undefined)
    const b = await flight.acquire('b', undefined)
    expect(flight.size('a')).toBe(1)
    a.release()
    b.release()
  })

  it('cancel aborts the running turn and rejects the waiting ones', async () => {
    const flight = new SingleFlight()
    const running = await flight.acquire('a', undefined)
    const waiting = flight.acquire('a', undefined)
    expect(flight.cancel('a')).toBe(true)
    expect(running.signal.aborted).toBe(true)
    await expect(waiting).rejects.toBeInstanceOf(AppError)
    running.release()
    expect(flight.cancel('a')).toBe(false)
  })

  it('rejects a waiting turn whose own signal aborts, leaving the queue usable', async () => {
    const flight = new SingleFlight()
    const running = await flight.acquire('a', undefined)
    const controller = new AbortController()
    const waiting = flight.acquire('a', controller.signal)
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' })
    running.release()
    const next = await flight.acquire('a', undefined)
    expect(next.signal.aborted).toBe(false)
    next.release()
  })
})
