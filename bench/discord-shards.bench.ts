import { DiscordReplicas } from '../tests/e2e/discord-replicas.js'
import type { BenchResult } from './types.js'

/** REPLICA_TIMEOUT_MS at its default: the takeover time an operator gets out of the box. */
const TIMEOUT_MS = 10_000
const TARGET_MS = 15_000

/**
 * Takeover time after `kill -9` for a Discord shard: two compiled replicas on PostgreSQL
 * split two shards; one is killed; measured from the kill until the other has the shard's
 * gateway session open again (a message sent then is delivered). Needs TEST_DATABASE_URL
 * (or BENCH_DATABASE_URL) and a build (`npm run build`).
 */
export async function run(): Promise<BenchResult[]> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
  const name = 'discord shards: takeover time after kill -9 for a Discord shard'
  if (!url) {
    process.stderr.write('discord-shards: no TEST_DATABASE_URL, skipped\n')
    return []
  }
  const world = await DiscordReplicas.start(url, TIMEOUT_MS)
  try {
    const a = await world.add()
    await world.discord.waitFor(() => DiscordReplicas.shardsOf(a).length === 2, 30_000)
    const b = await world.add()
    await world.discord.waitFor(
      () => DiscordReplicas.shardsOf(a).length === 1 && DiscordReplicas.shardsOf(b).length === 1,
      60_000,
    )
    await world.discord.waitFor(() => world.discord.gateway.openShards().length === 2, 20_000)
    const [lost] = DiscordReplicas.shardsOf(b)
    if (lost === undefined) throw new Error('b runs no shard')
    const killedAt = Date.now()
    await b.kill9()
    await world.discord.waitFor(
      () => !world.discord.gateway.openShards().includes(`${lost}/2`),
      10_000,
    )
    await world.discord.waitFor(
      () => world.discord.gateway.openShards().includes(`${lost}/2`),
      TIMEOUT_MS * 3,
    )
    const ms = Date.now() - killedAt
    return [
      {
        name: `${name} (REPLICA_TIMEOUT_MS=${TIMEOUT_MS})`,
        value: ms / 1000,
        unit: 's',
        target: `<= ${TARGET_MS / 1000} s`,
        pass: ms <= TARGET_MS,
      },
    ]
  } finally {
    await world.close()
  }
}
