import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'

/** What the gateway sends after IDENTIFY: READY's payload and one GUILD_CREATE per guild. */
export interface GatewayFixtures {
  ready(shard: readonly [number, number]): Record<string, unknown>
  /** Every guild; each session gets those of its shard. */
  guildCreates(): readonly Record<string, unknown>[]
}

/** Discord's routing: a guild's events go to shard `(guild_id >> 22) % count`; the rest to 0. */
export function shardOf(guildId: unknown, count: number): number {
  if (typeof guildId !== 'string' || guildId === '') return 0
  return Number((BigInt(guildId) >> 22n) % BigInt(count))
}

interface Session {
  readonly shard: readonly [number, number]
}

/**
 * A small Discord gateway (v10, JSON, no compression): HELLO, IDENTIFY → READY + GUILD_CREATE,
 * heartbeat ACKs, and `dispatch()` for test-injected events. Sharding as Discord does it:
 * IDENTIFY's `shard: [id, count]` picks the guilds a session gets (`(guild_id >> 22) % count`),
 * events without a guild go to shard 0 only; an invalid shard closes with 4010 and a second
 * IDENTIFY on one connection with 4005.
 */
export class DiscordGateway {
  readonly #wss = new WebSocketServer({ noServer: true })
  readonly #fixtures: GatewayFixtures
  readonly #sessions = new Map<WebSocket, Session>()
  #seq = 0
  /** Every IDENTIFY received (with its intents and shard). */
  readonly identifies: { intents: number; token: string; shard: [number, number] }[] = []
  /**
   * IDENTIFYs of a `[shard, count]` another open session already had. Discord allows that
   * (both get the shard's events); our replicas must never do it.
   */
  readonly overlaps: { shard: [number, number]; at: number }[] = []

  constructor(server: Server, fixtures: GatewayFixtures) {
    this.#fixtures = fixtures
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!req.url?.startsWith('/gateway')) {
        socket.destroy()
        return
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws))
    })
  }

  /** True once a client has identified and is connected. */
  get connected(): boolean {
    return this.#sessions.size > 0
  }

  /** The shards of the sessions open now, as `id/count` strings (one entry per session). */
  openShards(): string[] {
    return [...this.#sessions.values()].map((s) => `${s.shard[0]}/${s.shard[1]}`).sort()
  }

  #accept(ws: WebSocket): void {
    ws.on('message', (raw) => this.#onMessage(ws, raw.toString()))
    ws.on('close', () => this.#sessions.delete(ws))
    ws.on('error', () => this.#sessions.delete(ws))
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null }))
  }

  #onMessage(ws: WebSocket, text: string): void {
    let payload: { op?: number; d?: unknown }
    try {
      payload = JSON.parse(text) as { op?: number; d?: unknown }
    } catch {
      ws.close(4002, 'Decode error')
      return
    }
    if (payload.op === 1) {
      ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }))
    } else if (payload.op === 2) {
      this.#identify(ws, payload.d as { intents?: number; token?: string; shard?: unknown })
    }
  }

  #identify(ws: WebSocket, d: { intents?: number; token?: string; shard?: unknown }): void {
    if (this.#sessions.has(ws)) {
      ws.close(4005, 'Already authenticated.')
      return
    }
    const shard = (d.shard ?? [0, 1]) as [number, number]
    const valid =
      Array.isArray(shard) &&
      shard.length === 2 &&
      Number.isInteger(shard[0]) &&
      Number.isInteger(shard[1]) &&
      shard[1] >= 1 &&
      shard[0] >= 0 &&
      shard[0] < shard[1]
    if (!valid) {
      ws.close(4010, 'Invalid shard.')
      return
    }
    this.identifies.push({ intents: d.intents ?? 0, token: d.token ?? '', shard })
    const same = [...this.#sessions.values()].some(
      (s) => s.shard[0] === shard[0] && s.shard[1] === shard[1],
    )
    if (same) this.overlaps.push({ shard, at: Date.now() })
    this.#sessions.set(ws, { shard })
    this.#send(ws, 'READY', this.#fixtures.ready(shard))
    for (const guild of this.#fixtures.guildCreates()) {
      if (shardOf(guild.id, shard[1]) === shard[0]) this.#send(ws, 'GUILD_CREATE', guild)
    }
  }

  #send(ws: WebSocket, t: string, d: unknown): void {
    this.#seq += 1
    ws.send(JSON.stringify({ op: 0, t, s: this.#seq, d }))
  }

  /**
   * Sends a dispatch event to every session of the shard it belongs to (by its `guild_id`;
   * shard 0 without one). Returns how many sessions got it.
   */
  dispatch(t: string, d: unknown): number {
    const guildId = (d as { guild_id?: unknown } | null)?.guild_id
    let sent = 0
    for (const [ws, session] of this.#sessions) {
      if (shardOf(guildId, session.shard[1]) !== session.shard[0]) continue
      this.#send(ws, t, d)
      sent += 1
    }
    return sent
  }

  async close(): Promise<void> {
    for (const ws of this.#sessions.keys()) ws.terminate()
    for (const ws of this.#wss.clients) ws.terminate()
    this.#sessions.clear()
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()))
  }
}
