import { describe, expect, it } from 'vitest'
import { SqlInbox } from '../../../src/coordination/sql-inbox.js'
import { RetentionSweeper } from '../../../src/storage/retention-sweeper.js'
import { DAY_MS, DEFAULT_RETENTION, PURGED_BODY } from '../../../src/storage/sql-retention.js'
import { TEST_DIALECTS } from '../../helpers/database.js'
import { silentLogger } from '../../helpers/logger.js'
import { useStores } from './use-stores.js'

const START = Date.parse('2026-12-01T00:00:00Z')

/** A clock and timers the test moves by hand. */
function fakeTime() {
  const time = { now: START, timers: [] as { at: number; fn: () => void }[] }
  return {
    time,
    now: () => time.now,
    setTimer: (fn: () => void, ms: number) => {
      const timer = { at: time.now + ms, fn }
      time.timers.push(timer)
      return timer
    },
    clearTimer: (handle: unknown) => {
      time.timers = time.timers.filter((t) => t !== handle)
    },
    /** Moves the clock and fires the timers that fall due. */
    advance(ms: number) {
      time.now += ms
      const due = time.timers.filter((t) => t.at <= time.now)
      time.timers = time.timers.filter((t) => t.at > time.now)
      for (const t of due) t.fn()
    },
  }
}

describe.each(TEST_DIALECTS)('retention on %s', (dialect) => {
  const t = useStores(dialect)

  async function mail(to: string, createdAt: number): Promise<number> {
    await t.stores.outbox.enqueue({
      kind: 'verification',
      to,
      subject: 'Confirm your email',
      text: `https://bots.example/verify?token=secret-${to}`,
      html: `<a href="https://bots.example/verify?token=secret-${to}">confirm</a>`,
      createdAt,
    })
    const row = await t.handle.db
      .selectFrom('email_outbox')
      .select('id')
      .where('to_address', '=', to)
      .executeTakeFirstOrThrow()
    return Number(row.id)
  }

  const bodies = async () =>
    Object.fromEntries(
      (
        await t.handle.db
          .selectFrom('email_outbox')
          .select(['to_address', 'text_body', 'html_body'])
          .execute()
      ).map((r) => [r.to_address, r.text_body === PURGED_BODY && r.html_body === PURGED_BODY]),
    )

  it('purges on its schedule: mail bodies after MAIL_RETENTION_DAYS, expired tokens, claims, old events', async () => {
    const s = t.stores
    // Sent 8 days ago, sent 2 days ago, given up 8 days ago, still pending (created 8 days ago).
    await s.outbox.markSent(await mail('old@x.test', START - 8 * DAY_MS), START - 8 * DAY_MS)
    await s.outbox.markSent(await mail('new@x.test', START - 2 * DAY_MS), START - 2 * DAY_MS)
    await s.outbox.markFailed(await mail('failed@x.test', START - 8 * DAY_MS), 'rejected')
    await mail('pending@x.test', START - 8 * DAY_MS)

    const token = (hash: string, expiresAt: number) =>
      s.emailTokens.insert({
        tokenHash: hash,
        accountId: 'a',
        email: 'a@x.test',
        expiresAt,
        usedAt: null,
        createdAt: expiresAt - DAY_MS,
      })
    await token('expired', START - 1)
    await token('live', START + DAY_MS)
    await s.kv.claim('link:subscribe:old-jti', START - 2 * DAY_MS)
    await s.kv.claim('link:billing:fresh-jti', START - 60_000)
    await s.kv.set('link_secret', 'keep-me')
    await s.stripeEvents.record('evt_old', 'invoice.paid', 1, START - 31 * DAY_MS)
    await s.stripeEvents.record('evt_new', 'invoice.paid', 1, START - 2 * DAY_MS)
    await t.handle.db
      .insertInto('merge_request')
      .values([
        {
          token_hash: 'mr-old',
          from_account_id: 'a',
          into_account_id: 'b',
          email: 'a@x.test',
          created_at: START - 2 * DAY_MS,
          expires_at: START - DAY_MS,
          decided_at: null,
          decision: null,
        },
        {
          token_hash: 'mr-live',
          from_account_id: 'a',
          into_account_id: 'b',
          email: 'a@x.test',
          created_at: START,
          expires_at: START + DAY_MS,
          decided_at: null,
          decision: null,
        },
      ])
      .execute()

    const clock = fakeTime()
    const sweeper = new RetentionSweeper(
      { db: t.handle.db, log: silentLogger(), ...clock },
      {
        ...DEFAULT_RETENTION,
        mailRetentionMs: 7 * DAY_MS,
        intervalMs: 3_600_000,
        firstDelayMs: 60_000,
      },
    )
    sweeper.start()
    // Nothing before the first sweep is due.
    expect((await bodies())['old@x.test']).toBe(false)
    clock.advance(60_000)
    await sweeper.stop().then(() => undefined)

    expect(await bodies()).toEqual({
      'old@x.test': true,
      'new@x.test': false,
      'failed@x.test': true,
      'pending@x.test': false,
    })
    expect(await s.emailTokens.find('expired')).toBeUndefined()
    expect(await s.emailTokens.find('live')).toBeDefined()
    expect(await s.kv.get('link:subscribe:old-jti')).toBeUndefined()
    expect(await s.kv.get('link:billing:fresh-jti')).toBe('claimed')
    expect(await s.kv.get('link_secret')).toBe('keep-me')
    const events = await t.handle.db.selectFrom('stripe_event').select('id').execute()
    expect(events.map((e) => e.id)).toEqual(['evt_new'])
    const requests = await t.handle.db.selectFrom('merge_request').select('token_hash').execute()
    expect(requests.map((r) => r.token_hash)).toEqual(['mr-live'])
    // A dedupe key still blocks a second copy of a purged mail.
    expect(
      await s.outbox.enqueue({
        kind: 'welcome',
        to: 'x@x.test',
        subject: 's',
        text: 't',
        html: 'h',
        dedupeKey: 'k',
        createdAt: START,
      }),
    ).toBe(true)
  })

  it('keeps sweeping every interval, and a later sweep purges what aged meanwhile', async () => {
    await t.stores.outbox.markSent(await mail('m@x.test', START), START)
    const clock = fakeTime()
    const sweeper = new RetentionSweeper(
      { db: t.handle.db, log: silentLogger(), ...clock },
      { ...DEFAULT_RETENTION, intervalMs: DAY_MS, firstDelayMs: 1 },
    )
    sweeper.start()
    clock.advance(1)
    expect(await sweeper.sweep()).toMatchObject({ mailBodies: 0 })
    expect(clock.time.timers).toHaveLength(1)
    for (let day = 0; day < 8; day++) {
      clock.advance(DAY_MS)
      await sweeper.sweep()
    }
    expect((await bodies())['m@x.test']).toBe(true)
    await sweeper.stop()
    expect(clock.time.timers).toHaveLength(0)
  })

  it('drops handled inbox entries a day after they were handled, and keeps open ones', async () => {
    const inbox = new SqlInbox(t.handle.db, t.handle.dialect)
    const entry = (seq: number) => ({
      id: `telegram:${seq}`,
      platform: 'telegram',
      chatKey: 'c',
      seq,
      payload: '{}',
    })
    await inbox.record([entry(1), entry(2)])
    await inbox.claim('telegram', 'r', 60_000, 10)
    await inbox.finish('telegram:1', 'r')
    const sweepAt = async (now: number) =>
      new RetentionSweeper(
        { db: t.handle.db, log: silentLogger(), now: () => now },
        DEFAULT_RETENTION,
      ).sweep()
    expect(await sweepAt(Date.now())).toMatchObject({ handledInbox: 0 })
    expect(await sweepAt(Date.now() + 2 * DAY_MS)).toMatchObject({ handledInbox: 1 })
    // The open entry stays, and the handled one may now be recorded again (it is gone).
    expect(await inbox.open()).toBe(1)
    expect(await inbox.record([entry(1)])).toEqual(['telegram:1'])
  })
})
