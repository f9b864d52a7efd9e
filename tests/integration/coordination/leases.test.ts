import { afterEach, describe, expect, it } from 'vitest'
import { Membership } from '../../../src/coordination/membership.js'
import { SqlLeaseStore } from '../../../src/coordination/sql-lease-store.js'
import { SqlReplicaRegistry } from '../../../src/coordination/sql-replica-registry.js'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import { createTestDatabase, TEST_DIALECTS } from '../../helpers/database.js'

describe.each(TEST_DIALECTS)('leases and replicas on %s', (dialect) => {
  let handle: DatabaseHandle | undefined
  afterEach(async () => {
    await handle?.destroy()
    handle = undefined
  })

  async function stores() {
    handle = await createTestDatabase(dialect)
    return {
      leases: new SqlLeaseStore(handle.db, handle.dialect),
      registry: new SqlReplicaRegistry(handle.db, handle.dialect),
    }
  }

  it('gives a lease to one holder until it expires, then to the next with a new generation', async () => {
    const { leases } = await stores()
    const first = await leases.acquire('telegram:poller', 'a', 60_000)
    expect(first).toMatchObject({ holder: 'a', generation: 1 })
    expect(await leases.acquire('telegram:poller', 'b', 60_000)).toBeUndefined()
    // The holder renews: same generation, later expiry, same acquiredAt.
    const renewed = await leases.acquire('telegram:poller', 'a', 120_000)
    expect(renewed?.generation).toBe(1)
    expect(renewed?.acquiredAt).toBe(first?.acquiredAt)
    expect(renewed?.expiresAt).toBeGreaterThan(first?.expiresAt ?? Number.POSITIVE_INFINITY)
    // A renewal with a time-to-live in the past leaves it expired: b takes it over.
    await leases.acquire('telegram:poller', 'a', -1)
    const taken = await leases.acquire('telegram:poller', 'b', 60_000)
    expect(taken).toMatchObject({ holder: 'b', generation: 2 })
    expect(await leases.acquire('telegram:poller', 'a', 60_000)).toBeUndefined()
  })

  it('lets exactly one of many concurrent claimants win', async () => {
    const { leases } = await stores()
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => leases.acquire('discord:shard:0', `r${i}`, 60_000)),
    )
    expect(claims.filter((c) => c !== undefined)).toHaveLength(1)
  })

  it('lists held leases by prefix and frees them on release', async () => {
    const { leases } = await stores()
    await leases.acquire('discord:shard:0', 'a', 60_000)
    await leases.acquire('discord:shard:1', 'b', 60_000)
    await leases.acquire('telegram:poller', 'a', 60_000)
    await leases.acquire('discord:shard:2', 'c', -1)
    expect((await leases.held('discord:shard:')).map((l) => [l.name, l.holder])).toEqual([
      ['discord:shard:0', 'a'],
      ['discord:shard:1', 'b'],
    ])
    await leases.release('discord:shard:1', 'a')
    expect((await leases.held('discord:shard:1')).length).toBe(1)
    await leases.release('discord:shard:1', 'b')
    expect(await leases.held('discord:shard:1')).toEqual([])
    await leases.releaseAll('a')
    expect((await leases.held()).map((l) => l.name)).toEqual([])
    expect(() => leases.held('odd_prefix')).rejects.toThrow(/must not contain/)
  })

  it('lists live replicas with what each owns, and forgets silent ones', async () => {
    const { leases, registry } = await stores()
    const now = await leases.now()
    const base = { host: 'h1', pid: 10, version: '1.0.0', startedAt: now, draining: false }
    await registry.heartbeat({ id: 'a', ...base })
    await registry.heartbeat({ id: 'b', ...base, draining: true })
    await leases.acquire('telegram:poller', 'a', 60_000)
    const live = await registry.live(60_000)
    expect(live.map((r) => [r.id, r.draining, r.owns])).toEqual([
      ['a', false, ['telegram:poller']],
      ['b', true, []],
    ])
    // Nobody is newer than "now minus a negative timeout": all silent, all forgotten.
    expect(await registry.live(-60_000)).toEqual([])
    expect(await registry.forgetDead(-60_000)).toBe(2)
  })

  it('reports a lease lost when another replica took it, and releases everything on stop', async () => {
    const { leases, registry } = await stores()
    const errors: unknown[] = []
    const member = (id: string) =>
      new Membership({
        registry,
        leases,
        self: { id, host: 'h', pid: 1, version: 'v' },
        timeoutMs: 60_000,
        onError: (err) => errors.push(err),
      })
    const a = member('a')
    const b = member('b')
    await a.start()
    await b.start()
    const lost: string[] = []
    a.onLost((name) => lost.push(name))
    expect(await a.tryAcquire('discord:shard:0')).toBeDefined()
    expect(await b.tryAcquire('discord:shard:0')).toBeUndefined()
    // The lease expires behind a's back (as if a had stalled) and b takes it.
    await leases.acquire('discord:shard:0', 'a', -1)
    expect(await b.tryAcquire('discord:shard:0')).toMatchObject({ generation: 2 })
    await a.beat()
    expect(lost).toEqual(['discord:shard:0'])
    expect(a.holds('discord:shard:0')).toBe(false)
    expect((await a.live()).map((r) => [r.id, r.owns])).toEqual([
      ['a', []],
      ['b', ['discord:shard:0']],
    ])
    await b.stop()
    expect(await leases.held()).toEqual([])
    expect((await a.live()).map((r) => r.id)).toEqual(['a'])
    await a.stop()
    expect(errors).toEqual([])
  })
})
