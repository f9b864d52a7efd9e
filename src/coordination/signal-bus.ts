import { EventEmitter } from 'node:events'
import pg from 'pg'
import type { SignalBus } from './ports.js'

/** The one-process bus (SQLite): publishing reaches this process's own subscribers. */
export class LocalSignalBus implements SignalBus {
  readonly #events = new EventEmitter().setMaxListeners(0)

  async publish(channel: string, payload: string): Promise<void> {
    this.#events.emit(channel, payload)
  }

  subscribe(channel: string, onSignal: (payload: string) => void): () => void {
    this.#events.on(channel, onSignal)
    return () => this.#events.off(channel, onSignal)
  }

  async close(): Promise<void> {
    this.#events.removeAllListeners()
  }
}

export interface PgSignalBusOptions {
  readonly connectionString: string
  /**
   * Channels are database-wide; the schema (when not the default) is part of each channel's
   * name so two deployments, or two test runs, in one database never hear each other.
   */
  readonly schema?: string | undefined
  /** Called when the listening connection fails; the bus reconnects by itself. */
  readonly onError?: (err: unknown) => void
  /** Delay before reconnecting after the connection was lost. */
  readonly reconnectMs?: number
}

/**
 * `LISTEN/NOTIFY` on PostgreSQL: one dedicated connection listens to the channels that have
 * subscribers; publishing uses `pg_notify` on a short-lived query of the same connection.
 * Signals sent while the listener is reconnecting are missed, which is why every signal only
 * wakes a waiter that also polls its table.
 */
export class PgSignalBus implements SignalBus {
  readonly #options: PgSignalBusOptions
  readonly #events = new EventEmitter().setMaxListeners(0)
  readonly #channels = new Set<string>()
  #client: pg.Client | undefined
  #connecting: Promise<pg.Client> | undefined
  #closed = false

  constructor(options: PgSignalBusOptions) {
    this.#options = options
  }

  async publish(channel: string, payload: string): Promise<void> {
    const client = await this.#connect()
    await client.query('select pg_notify($1, $2)', [this.#wire(channel), payload])
  }

  subscribe(channel: string, onSignal: (payload: string) => void): () => void {
    const wire = this.#wire(channel)
    this.#events.on(wire, onSignal)
    if (!this.#channels.has(wire)) {
      this.#channels.add(wire)
      void this.#connect()
        .then((client) => client.query(`LISTEN ${pg.escapeIdentifier(wire)}`))
        .catch((err: unknown) => this.#options.onError?.(err))
    }
    return () => this.#events.off(wire, onSignal)
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#events.removeAllListeners()
    const client = this.#client
    this.#client = undefined
    await client?.end().catch(() => {})
  }

  #wire(channel: string): string {
    const schema = this.#options.schema
    return schema ? `${schema}.${channel}` : `jlm.${channel}`
  }

  #connect(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client)
    if (this.#closed) return Promise.reject(new Error('signal bus is closed'))
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined
    })
    return this.#connecting
  }

  async #open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#options.connectionString })
    client.on('notification', (message) => {
      this.#events.emit(message.channel, message.payload ?? '')
    })
    client.on('error', (err) => {
      this.#options.onError?.(err)
      this.#lost(client)
    })
    client.on('end', () => this.#lost(client))
    await client.connect()
    for (const channel of this.#channels) {
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
    }
    if (this.#closed) {
      await client.end().catch(() => {})
      throw new Error('signal bus is closed')
    }
    this.#client = client
    return client
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return
    this.#client = undefined
    if (this.#closed) return
    setTimeout(() => {
      void this.#connect().catch((err: unknown) => this.#options.onError?.(err))
    }, this.#options.reconnectMs ?? 1_000).unref()
  }
}
