import { cpSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { DiscordDouble } from '../doubles/discord-double.js'
import { type OllamaDouble, startOllamaDouble } from '../doubles/ollama-double.js'
import { type PlatformProcess, startPlatform, tempDataDir } from './platform-process.js'

const MODEL = 'llama3.2'

/**
 * Replicas of the compiled platform (`npm start`) on one fresh PostgreSQL database, with
 * Discord asking for two shards over two servers (one per shard) and an Ollama double that
 * echoes the words it gets. Shared by the e2e test and the takeover benchmark.
 */
export class DiscordReplicas {
  readonly discord: DiscordDouble
  readonly ollama: OllamaDouble
  readonly replicas: PlatformProcess[] = []
  readonly #adminUrl: string
  readonly #database: string
  readonly #env: Record<string, string>

  private constructor(
    discord: DiscordDouble,
    ollama: OllamaDouble,
    adminUrl: string,
    database: string,
    env: Record<string, string>,
  ) {
    this.discord = discord
    this.ollama = ollama
    this.#adminUrl = adminUrl
    this.#database = database
    this.#env = env
  }

  static async start(adminUrl: string, timeoutMs: number): Promise<DiscordReplicas> {
    const database = `justlayme_shards_${Date.now().toString(36)}_${process.pid}`
    await admin(adminUrl, `create database ${database}`)
    const discord = await DiscordDouble.start({ shards: 2, extraGuilds: 1 })
    const ollama = await startOllamaDouble({ models: [MODEL], loaded: [MODEL] })
    ollama.set({
      tokenIntervalMs: 5,
      reply: (r) => {
        const text = r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''
        return `Echo: ${text.replace(/^[^:]+: /, '')} END`
      },
    })
    const dataDir = tempDataDir()
    cpSync(join(process.cwd(), 'personas'), join(dataDir, 'personas'), { recursive: true })
    const url = new URL(adminUrl)
    url.pathname = `/${database}`
    return new DiscordReplicas(discord, ollama, adminUrl, database, {
      LOG_LEVEL: 'info',
      DATABASE_URL: url.toString(),
      DATA_DIR: dataDir,
      PERSONAS_DIR: join(dataDir, 'personas'),
      LINK_SECRET: 'e2e-shards-link-secret-0123456789abcdef0123456789abcdef',
      OLLAMA_HOSTS: ollama.url,
      OLLAMA_MODEL: MODEL,
      DISCORD_TOKEN: 'e2e.discord.token',
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
      REPLICA_TIMEOUT_MS: String(timeoutMs),
    })
  }

  /** Starts one more replica and waits until it took its first shard (or none was free). */
  async add(): Promise<PlatformProcess> {
    const replica = await startPlatform(this.#env)
    this.replicas.push(replica)
    return replica
  }

  /** Shard ids a replica said it took, minus those it gave back or lost since. */
  static shardsOf(replica: PlatformProcess): number[] {
    const owned = new Set<number>()
    for (const line of replica.logs) {
      const id = line.shardId as number | undefined
      if (id === undefined) continue
      if (line.msg === 'took a discord shard') owned.add(id)
      if (typeof line.msg === 'string' && /giving a discord shard|lost the lease/.test(line.msg)) {
        owned.delete(id)
      }
    }
    return [...owned].sort()
  }

  /** The channel whose server's events go to `shard`. */
  channelOf(shard: number): string {
    const extra = this.discord.extraGuilds[0]
    if (!extra) throw new Error('no extra server')
    const shardOfDefault = Number((BigInt(this.discord.guildId) >> 22n) % 2n)
    return shard === shardOfDefault ? this.discord.channels.general : extra.channelId
  }

  /** Answers in `channelId` that echo `text`. */
  answersTo(channelId: string, text: string): number {
    return this.discord
      .channelMessages(channelId)
      .filter((m) => m.webhookId !== null || m.authorId === this.discord.bot.id)
      .filter((m) => m.content.includes(`Echo: ${text} END`)).length
  }

  async close(): Promise<void> {
    for (const replica of this.replicas) await replica.kill9().catch(() => {})
    await this.ollama.close()
    await this.discord.close()
    await admin(this.#adminUrl, `drop database if exists ${this.#database} with (force)`)
  }
}

async function admin(url: string, query: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(query)
  } finally {
    await client.end()
  }
}
