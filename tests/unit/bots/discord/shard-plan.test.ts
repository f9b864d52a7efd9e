import { describe, expect, it } from 'vitest'
import {
  planShards,
  shardLease,
  shardOfGuild,
  shardOfLease,
} from '../../../../bots/discord/shard-plan.js'

const replica = (id: string, draining = false) => ({ id, draining })
const held = (entries: [number, string][]) => new Map(entries)

describe('planShards', () => {
  it('gives a lone replica every shard', () => {
    const plan = planShards({
      shardCount: 4,
      self: 'a',
      replicas: [replica('a')],
      holders: held([]),
    })
    expect(plan).toEqual({ acquire: [0, 1, 2, 3], release: [] })
  })

  it('takes free shards only up to its share', () => {
    const plan = planShards({
      shardCount: 4,
      self: 'b',
      replicas: [replica('a'), replica('b')],
      holders: held([[0, 'a']]),
    })
    expect(plan).toEqual({ acquire: [1, 2], release: [] })
  })

  it('gives one extra shard back per beat when another replica is below its share', () => {
    const plan = planShards({
      shardCount: 4,
      self: 'a',
      replicas: [replica('a'), replica('b')],
      holders: held([
        [0, 'a'],
        [1, 'a'],
        [2, 'a'],
        [3, 'a'],
      ]),
    })
    expect(plan).toEqual({ acquire: [], release: [3] })
  })

  it('keeps its extra shards while nobody could take them', () => {
    const plan = planShards({
      shardCount: 4,
      self: 'a',
      replicas: [replica('a'), replica('b', true)],
      holders: held([
        [0, 'a'],
        [1, 'a'],
        [2, 'b'],
        [3, 'b'],
      ]),
    })
    expect(plan).toEqual({ acquire: [], release: [] })
  })

  it('keeps shard 0 (direct messages) when giving shards back', () => {
    const plan = planShards({
      shardCount: 3,
      self: 'a',
      replicas: [replica('a'), replica('b'), replica('c')],
      holders: held([
        [0, 'a'],
        [1, 'b'],
        [2, 'a'],
      ]),
    })
    expect(plan).toEqual({ acquire: [], release: [2] })
  })

  it('takes nothing while draining', () => {
    const plan = planShards({
      shardCount: 2,
      self: 'a',
      replicas: [replica('a', true)],
      holders: held([]),
    })
    expect(plan).toEqual({ acquire: [], release: [] })
  })

  it('leaves shards held by a silent replica until their lease expires', () => {
    const plan = planShards({
      shardCount: 2,
      self: 'b',
      replicas: [replica('b')],
      holders: held([[0, 'dead']]),
    })
    expect(plan).toEqual({ acquire: [1], release: [] })
  })
})

describe('shard routing', () => {
  it('uses Discord’s formula: (guild_id >> 22) % shard count, DMs on shard 0', () => {
    // 175928847299117063 >> 22 = 41944705796 (Discord's documented example snowflake).
    expect(shardOfGuild('175928847299117063', 1)).toBe(0)
    expect(shardOfGuild('175928847299117063', 3)).toBe(Number(41944705796n % 3n))
    expect(shardOfGuild(null, 8)).toBe(0)
  })

  it('names shard leases discord:shard:<id> and reads them back', () => {
    expect(shardLease(7)).toBe('discord:shard:7')
    expect(shardOfLease('discord:shard:7')).toBe(7)
    expect(shardOfLease('telegram:poller')).toBeUndefined()
  })
})
