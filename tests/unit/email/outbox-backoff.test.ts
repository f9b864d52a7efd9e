import { describe, expect, it } from 'vitest'
import type { EmailOutboxStore } from '../../../src/email/email-stores.js'
import { MailHealth } from '../../../src/email/mail-health.js'
import type { MailTransport } from '../../../src/email/mail-transport.js'
import { OutboxWorker } from '../../../src/email/outbox-worker.js'
import { silentLogger } from '../../helpers/logger.js'

const unused = () => Promise.reject(new Error('not used in this test'))
const outbox: EmailOutboxStore = {
  enqueue: unused,
  due: unused,
  claim: unused,
  extendClaim: unused,
  markSent: unused,
  markRetry: unused,
  markFailed: unused,
  counts: unused,
}
const transport: MailTransport = { send: unused, verify: unused, close: () => {} }

describe('outbox retry backoff', () => {
  it('starts at 5 s, doubles per attempt and stops growing at 1 h', () => {
    const worker = new OutboxWorker(
      { outbox, transport, health: new MailHealth(), log: silentLogger() },
      { messageIdDomain: 'example.com' },
    )
    expect([0, 1, 2, 3].map((a) => worker.backoffMs(a))).toEqual([5_000, 10_000, 20_000, 40_000])
    expect(worker.backoffMs(10)).toBe(3_600_000)
    expect(worker.backoffMs(1_000)).toBe(3_600_000)
  })
})
