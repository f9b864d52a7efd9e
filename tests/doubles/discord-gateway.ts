import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'

/** What the gateway sends after IDENTIFY: READY's payload and one GUILD_CREATE per guild. */
export interface GatewayFixtures {
  ready(): Record<string, unknown>
  guildCreates(): readonly Record<string, unknown>[]
}

/**
 * A small Discord gateway (v10, JSON, no compression): HELLO, IDENTIFY → READY + GUILD_CREATE,
 * heartbeat ACKs, and `dispatch()` for test-injected events.
 */
export class DiscordGateway {
  readonly #wss = new WebSocketServer({ noServer: true })
  readonly #fixtures: GatewayFixtures
  readonly #sockets = new Set<WebSocket>()
  #seq = 0
  /** Number of IDENTIFY payloads received (with their intents). */
  readonly identifies: { intents: number; token: string }[] = []

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
    return this.#sockets.size > 0
  }

  #accept(ws: WebSocket): void {
    ws.on('message', (raw) => this.#onMessage(ws, raw.toString()))
    ws.on('close', () => this.#sockets.delete(ws))
    ws.on('error', () => this.#sockets.delete(ws))
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
      const d = payload.d as { intents?: number; token?: string }
      this.identifies.push({ intents: d.intents ?? 0, token: d.token ?? '' })
      this.#sockets.add(ws)
      this.#send(ws, 'READY', this.#fixtures.ready())
      for (const guild of this.#fixtures.guildCreates()) this.#send(ws, 'GUILD_CREATE', guild)
    }
  }

  #send(ws: WebSocket, t: string, d: unknown): void {
    this.#seq += 1
    ws.send(JSON.stringify({ op: 0, t, s: this.#seq, d }))
  }

  /** Sends a dispatch event to every identified client. */
  dispatch(t: string, d: unknown): void {
    for (const ws of this.#sockets) this.#send(ws, t, d)
  }

  async close(): Promise<void> {
    for (const ws of this.#sockets) ws.terminate()
    this.#sockets.clear()
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()))
  }
}
