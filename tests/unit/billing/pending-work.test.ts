import { describe, expect, it } from 'vitest'
import { PendingWork } from '../../../src/billing/pending-work.js'
import { capturingLogger } from '../../helpers/logger.js'

describe('PendingWork', () => {
  it('drains everything started, including work started by work', async () => {
    const { log } = capturingLogger()
    const pending = new PendingWork({ log })
    const done: string[] = []
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    pending.run(async () => {
      await gate
      done.push('first')
      pending.run(async () => {
        done.push('second')
      })
    })
    const drained = pending.drain().then(() => done.push('drained'))
    release()
    await drained
    expect(done).toEqual(['first', 'second', 'drained'])
    expect(pending.size).toBe(0)
  })

  it('logs a failure instead of throwing', async () => {
    const { log, lines } = capturingLogger()
    const pending = new PendingWork({ log })
    pending.run(async () => {
      throw new Error('telegram down')
    })
    await pending.drain()
    expect(lines.some((l) => l.msg === 'background billing work failed')).toBe(true)
  })
})
