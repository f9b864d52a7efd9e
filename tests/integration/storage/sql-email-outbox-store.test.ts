import { describe, expect, it } from 'vitest'
import type { NewOutboxMessage } from '../../../src/email/email-stores.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { useStores } from './use-stores.js'

const mail = (over: Partial<NewOutboxMessage> = {}): NewOutboxMessage => ({
  kind: 'verify',
  to: 'ann@example.com',
  subject: 'Confirm',
  text: 'Click',
  html: '<p>Click</p>',
  createdAt: 1_000,
  ...over,
})

describe.each(TEST_DIALECTS)('SqlEmailOutboxStore on %s', (dialect) => {
  const t = useStores(dialect)

  it('enqueues a message that is due from its creation time', async () => {
    expect(await t.stores.outbox.enqueue(mail())).toBe(true)
    expect(await t.stores.outbox.due(999, 10)).toEqual([])
    expect(await t.stores.outbox.due(1_000, 10)).toEqual([
      {
        id: expect.any(Number),
        kind: 'verify',
        to: 'ann@example.com',
        subject: 'Confirm',
        text: 'Click',
        html: '<p>Click</p>',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: 1_000,
        lastError: null,
        createdAt: 1_000,
        sentAt: null,
      },
    ])
  })

  it('refuses a second message with the same dedupe key without throwing', async () => {
    expect(await t.stores.outbox.enqueue(mail({ dedupeKey: 'premium-started:evt_1' }))).toBe(true)
    expect(await t.stores.outbox.enqueue(mail({ dedupeKey: 'premium-started:evt_1' }))).toBe(false)
    const raced = await Promise.all(
      Array.from({ length: 5 }, () => t.stores.outbox.enqueue(mail({ dedupeKey: 'k2' }))),
    )
    expect(raced.filter(Boolean)).toHaveLength(1)
    expect(await t.stores.outbox.enqueue(mail())).toBe(true)
    expect(await t.stores.outbox.enqueue(mail())).toBe(true)
    expect((await t.stores.outbox.counts()).pending).toBe(4)
  })

  it('returns due messages oldest first up to the limit', async () => {
    await t.stores.outbox.enqueue(mail({ subject: 'c', createdAt: 3_000 }))
    await t.stores.outbox.enqueue(mail({ subject: 'a', createdAt: 1_000 }))
    await t.stores.outbox.enqueue(mail({ subject: 'b', createdAt: 2_000 }))
    expect((await t.stores.outbox.due(5_000, 2)).map((m) => m.subject)).toEqual(['a', 'b'])
  })

  it('tracks retries, sending and failure', async () => {
    await t.stores.outbox.enqueue(mail({ subject: 'one' }))
    await t.stores.outbox.enqueue(mail({ subject: 'two' }))
    const [one, two] = await t.stores.outbox.due(1_000, 10)
    if (!one || !two) throw new Error('expected two due messages')

    await t.stores.outbox.markRetry(one.id, 'SMTP 421', 60_000)
    expect((await t.stores.outbox.due(59_999, 10)).map((m) => m.id)).toEqual([two.id])
    const retried = (await t.stores.outbox.due(60_000, 10)).find((m) => m.id === one.id)
    expect(retried).toMatchObject({ id: one.id, attempts: 1, lastError: 'SMTP 421' })

    await t.stores.outbox.markSent(one.id, 61_000)
    await t.stores.outbox.markFailed(two.id, 'SMTP 550')
    expect(await t.stores.outbox.due(1e12, 10)).toEqual([])
    expect(await t.stores.outbox.counts()).toEqual({ pending: 0, sent: 1, failed: 1 })
  })

  it('counts zero of every status when empty', async () => {
    expect(await t.stores.outbox.counts()).toEqual({ pending: 0, sent: 0, failed: 0 })
  })
})
