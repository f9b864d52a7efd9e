import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DiscordGateway, shardOf } from './discord-gateway.js'
import {
  cannotEditOthers,
  fromPayload,
  HttpAnswer,
  invalidForm,
  type MessagePayload,
  missingPermissions,
  parseBody,
  unknownMessage,
  validateContent,
} from './discord-wire.js'

/**
 * A local Discord API double: REST under `/api/v10/...` plus a gateway WebSocket at `/gateway`,
 * enough for the real discord.js `Client` to log in, receive injected events and answer them.
 * It records every request, stores messages, enforces the 2,000-character limit and a
 * per-channel rate limit with real 429 answers and rate-limit headers.
 */

export const PERMISSION = {
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MANAGE_WEBHOOKS: 1n << 29n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
} as const

const MEMBER_PERMISSIONS =
  PERMISSION.VIEW_CHANNEL |
  PERMISSION.SEND_MESSAGES |
  PERMISSION.EMBED_LINKS |
  PERMISSION.ATTACH_FILES |
  PERMISSION.READ_MESSAGE_HISTORY |
  PERMISSION.SEND_MESSAGES_IN_THREADS

export interface DoubleUser {
  readonly id: string
  readonly username: string
  readonly bot?: boolean
}

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly body: unknown
  readonly at: number
  status: number
}

export interface StoredMessage {
  readonly id: string
  channelId: string
  content: string
  authorId: string
  username: string
  avatarUrl: string | null
  webhookId: string | null
  /** Interaction token when posted as an interaction response or follow-up. */
  interactionToken: string | null
  flags: number
  components: unknown[]
  attachments: { filename: string; content: string }[]
  allowedMentions: unknown
  referencedMessageId: string | null
  edits: number
  deleted: boolean
}

/** A file a user attaches to an injected message. */
export interface UserAttachment {
  readonly filename: string
  readonly bytes: Uint8Array
  readonly contentType?: string | undefined
  /** What Discord reports as `size` (default: the real byte count). */
  readonly size?: number | undefined
}

export interface InteractionRecord {
  readonly id: string
  readonly token: string
  readonly channelId: string
  readonly callbacks: { type: number; data: Record<string, unknown> | undefined; at: number }[]
  originalId: string | null
  /** When the interaction was dispatched: Discord forgets it if not acknowledged within 3 s. */
  readonly createdAt: number
}

/** Discord's window for the first response to an interaction. */
export const INTERACTION_ACK_MS = 3_000

interface Fault {
  readonly method: string | undefined
  readonly path: RegExp
  remaining: number
  readonly status: number
  readonly code: number
}

interface Bucket {
  remaining: number
  resetAt: number
}

export interface DiscordDoubleOptions {
  /** Message creates/edits allowed per channel per window (default 5 per 5 s, like Discord). */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number }
  /** The shard count `GET /gateway/bot` recommends (default 1). */
  readonly shards?: number
  /** More servers besides the default one, each with one text channel (default 0). */
  readonly extraGuilds?: number
}

/** A server of the double beyond the default one. */
export interface ExtraGuild {
  readonly id: string
  readonly channelId: string
}

/** Discord's epoch (2015-01-01) in ms: snowflakes carry their creation time after it. */
const DISCORD_EPOCH = 1_420_070_400_000n

type Params = Record<string, string>
type Handler = (
  params: Params,
  body: unknown,
  query: URLSearchParams,
  res: ServerResponse,
) => unknown | Promise<unknown>

export class DiscordDouble {
  readonly #server: Server
  readonly #gateway: DiscordGateway
  readonly #routes: { method: string; re: RegExp; keys: string[]; handler: Handler }[] = []
  readonly #faults: Fault[] = []
  readonly #buckets = new Map<string, Bucket>()
  readonly #rateLimit: { limit: number; windowMs: number }
  readonly #recommendedShards: number
  #lastId = 0n
  #port = 0

  readonly requests: RecordedRequest[] = []
  readonly messages = new Map<string, StoredMessage>()
  readonly interactions = new Map<string, InteractionRecord>()
  readonly webhooks = new Map<string, { id: string; token: string; channelId: string }>()
  readonly commands = new Map<string, unknown[]>()
  /** Servers beyond `guildId`: ids one apart after `>> 22`, so server i lands on shard i % n. */
  readonly extraGuilds: readonly ExtraGuild[]
  readonly dmChannels = new Map<string, string>()
  /** Ids of injected messages no gateway session received (their shard had no session). */
  readonly undelivered: string[] = []
  /** When false, listing or creating webhooks answers 403 with code 50013. */
  webhookPermission = true
  /** Files users attached, served at their attachment URL (`/cdn/attachments/...`). */
  readonly files = new Map<string, { bytes: Uint8Array; contentType: string | undefined }>()

  readonly applicationId = '1000000000000000001'
  readonly guildId = '1000000000000000100'
  readonly bot: DoubleUser = { id: '1000000000000000001', username: 'JustLayMe', bot: true }
  readonly users = {
    alice: { id: '1000000000000000201', username: 'alice' },
    bob: { id: '1000000000000000202', username: 'bob' },
  } satisfies Record<string, DoubleUser>
  readonly channels = {
    general: '1000000000000000301',
    nsfw: '1000000000000000302',
    other: '1000000000000000303',
    thread: '1000000000000000311',
  }

  private constructor(options: DiscordDoubleOptions) {
    this.#rateLimit = { limit: 5, windowMs: 5_000, ...options.rateLimit }
    this.#recommendedShards = options.shards ?? 1
    this.extraGuilds = Array.from({ length: options.extraGuilds ?? 0 }, (_, i) => ({
      id: (BigInt(this.guildId) + (BigInt(i + 1) << 22n)).toString(),
      channelId: (1_000_000_000_000_000_400n + BigInt(i)).toString(),
    }))
    this.#server = createServer((req, res) => void this.#handle(req, res))
    this.#gateway = new DiscordGateway(this.#server, {
      ready: (shard) => this.#ready(shard),
      guildCreates: () => [
        this.#guildCreate(),
        ...this.extraGuilds.map((g) => this.#extraGuild(g)),
      ],
    })
    this.#defineRoutes()
  }

  static async start(options: DiscordDoubleOptions = {}): Promise<DiscordDouble> {
    const double = new DiscordDouble(options)
    await new Promise<void>((resolve) => double.#server.listen(0, '127.0.0.1', resolve))
    double.#port = (double.#server.address() as AddressInfo).port
    return double
  }

  /** REST base for discord.js `rest.api` (and `DISCORD_API_URL`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api`
  }

  get gateway(): DiscordGateway {
    return this.#gateway
  }

  async close(): Promise<void> {
    await this.#gateway.close()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  // ---- knobs ------------------------------------------------------------------------------

  /** The next `count` requests matching `path` (and `method`) answer 429 with `retry_after`. */
  force429(path: RegExp, count: number, method?: string): void {
    this.#faults.push({ method, path, remaining: count, status: 429, code: 0 })
  }

  /** The next `count` requests matching `path` (and `method`) answer `status` (5xx). */
  force5xx(path: RegExp, count: number, method?: string, status = 502): void {
    this.#faults.push({ method, path, remaining: count, status, code: 0 })
  }

  /** The next `count` requests matching `path` answer `status` with Discord error `code` (e.g. 403/50013). */
  forceError(path: RegExp, count: number, status: number, code: number, method?: string): void {
    this.#faults.push({ method, path, remaining: count, status, code })
  }

  // ---- reading state ----------------------------------------------------------------------

  /** Messages currently in a channel (or thread), oldest first. */
  channelMessages(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId && !m.deleted)
  }

  requestsMatching(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path))
  }

  /** Resolves when `check` returns a truthy value; rejects after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = check()
      if (value) return value
      if (Date.now() > deadline) throw new Error('DiscordDouble.waitFor timed out')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  // ---- injecting gateway events -----------------------------------------------------------

  /** A user posts a message; returns its id. */
  injectMessage(input: {
    channelId: string
    author: DoubleUser
    content: string
    mentionBot?: boolean
    replyTo?: string
    /** Uploaded files; `size` overrides the real byte count Discord would report. */
    attachments?: readonly UserAttachment[]
    /** Stickers sent with the message (`sticker_items`). */
    stickers?: readonly { name: string }[]
    /** Message flags, e.g. 1 << 13 for a voice message. */
    flags?: number
  }): string {
    const id = this.#id()
    const attachments = (input.attachments ?? []).map((a) => {
      const fileId = this.#id()
      const path = `/cdn/attachments/${input.channelId}/${fileId}/${encodeURIComponent(a.filename)}`
      this.files.set(path, { bytes: a.bytes, contentType: a.contentType })
      const url = `http://127.0.0.1:${this.#port}${path}`
      return {
        id: fileId,
        filename: a.filename,
        size: a.size ?? a.bytes.byteLength,
        url,
        proxy_url: url,
        ...(a.contentType ? { content_type: a.contentType } : {}),
      }
    })
    const guildId = this.#guildOf(input.channelId)
    const content = input.mentionBot ? `<@${this.bot.id}> ${input.content}` : input.content
    const ref = input.replyTo ? this.messages.get(input.replyTo) : undefined
    this.#store({
      id,
      channelId: input.channelId,
      content,
      authorId: input.author.id,
      username: input.author.username,
      referencedMessageId: ref?.id ?? null,
    })
    const receivers = this.#gateway.dispatch('MESSAGE_CREATE', {
      ...this.#apiMessage(this.messages.get(id) as StoredMessage),
      author: this.#apiUser(input.author),
      channel_type: this.#apiChannel(input.channelId).type,
      ...(guildId
        ? { guild_id: guildId, member: { roles: [], joined_at: new Date(0).toISOString() } }
        : {}),
      attachments,
      ...(input.flags ? { flags: input.flags } : {}),
      ...(input.stickers
        ? {
            sticker_items: input.stickers.map((st) => ({
              id: this.#id(),
              name: st.name,
              format_type: 2,
            })),
          }
        : {}),
      ...(ref
        ? {
            type: 19,
            message_reference: { message_id: ref.id, channel_id: ref.channelId },
            referenced_message: this.#apiMessage(ref),
          }
        : {}),
    })
    if (receivers === 0) this.undelivered.push(id)
    return id
  }

  /** A user runs a slash command; returns the interaction record. */
  injectSlashCommand(input: {
    channelId: string
    user: DoubleUser
    name: string
    options?: { name: string; type: number; value: string | number | boolean }[]
    manageGuild?: boolean
    /** Manage Channels (in this channel) without Manage Server. */
    manageChannels?: boolean
  }): InteractionRecord {
    const extra =
      (input.manageGuild ? PERMISSION.MANAGE_GUILD : 0n) |
      (input.manageChannels ? PERMISSION.MANAGE_CHANNELS : 0n)
    return this.#injectInteraction(input.channelId, input.user, extra, 2, {
      id: this.#id(),
      name: input.name,
      type: 1,
      options: input.options ?? [],
    })
  }

  /** A user types into an autocomplete option. */
  injectAutocomplete(input: {
    channelId: string
    user: DoubleUser
    name: string
    focused: { name: string; value: string }
  }): InteractionRecord {
    return this.#injectInteraction(input.channelId, input.user, 0n, 4, {
      id: this.#id(),
      name: input.name,
      type: 1,
      options: [{ name: input.focused.name, type: 3, value: input.focused.value, focused: true }],
    })
  }

  /** A user clicks a button on a stored message. */
  injectButton(input: {
    channelId: string
    user: DoubleUser
    customId: string
    messageId: string
    manageGuild?: boolean
  }): InteractionRecord {
    const message = this.messages.get(input.messageId)
    if (!message) throw new Error(`no message ${input.messageId}`)
    return this.#injectInteraction(
      input.channelId,
      input.user,
      input.manageGuild ? PERMISSION.MANAGE_GUILD : 0n,
      3,
      { custom_id: input.customId, component_type: 2 },
      this.#apiMessage(message),
    )
  }

  #injectInteraction(
    channelId: string,
    user: DoubleUser,
    /** Permissions beyond a plain member's (e.g. Manage Server). */
    extraPermissions: bigint,
    type: number,
    data: Record<string, unknown>,
    message?: Record<string, unknown>,
  ): InteractionRecord {
    const id = this.#id()
    const token = `itoken-${id}`
    const record: InteractionRecord = {
      id,
      token,
      channelId,
      callbacks: [],
      originalId: null,
      createdAt: Date.now(),
    }
    this.interactions.set(token, record)
    const guildId = this.#guildOf(channelId)
    const inGuild = guildId !== null
    const permissions = (MEMBER_PERMISSIONS | extraPermissions).toString()
    this.#gateway.dispatch('INTERACTION_CREATE', {
      id,
      application_id: this.applicationId,
      type,
      data,
      token,
      version: 1,
      channel_id: channelId,
      channel: this.#apiChannel(channelId),
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: {},
      context: inGuild ? 0 : 1,
      app_permissions: (MEMBER_PERMISSIONS | PERMISSION.MANAGE_WEBHOOKS).toString(),
      ...(inGuild
        ? {
            guild_id: guildId,
            guild_locale: 'en-US',
            member: {
              user: this.#apiUser(user),
              roles: [],
              joined_at: new Date(0).toISOString(),
              permissions,
              deaf: false,
              mute: false,
              flags: 0,
            },
          }
        : { user: this.#apiUser(user) }),
      ...(message ? { message } : {}),
    })
    return record
  }

  // ---- fixtures ---------------------------------------------------------------------------

  #ready(shard: readonly [number, number]): Record<string, unknown> {
    const guilds = [this.guildId, ...this.extraGuilds.map((g) => g.id)]
      .filter((id) => shardOf(id, shard[1]) === shard[0])
      .map((id) => ({ id, unavailable: true }))
    return {
      v: 10,
      user: { ...this.#apiUser(this.bot), verified: true, mfa_enabled: false, flags: 0 },
      guilds,
      session_id: `session-${shard[0]}-${this.#id()}`,
      resume_gateway_url: `ws://127.0.0.1:${this.#port}/gateway`,
      shard: [...shard],
      application: { id: this.applicationId, flags: 0 },
      private_channels: [],
    }
  }

  #guildCreate(): Record<string, unknown> {
    const channel = (id: string, name: string, nsfw: boolean, position: number) => ({
      id,
      type: 0,
      guild_id: this.guildId,
      name,
      position,
      permission_overwrites: [],
      nsfw,
      parent_id: null,
      topic: null,
      rate_limit_per_user: 0,
      last_message_id: null,
    })
    return {
      id: this.guildId,
      name: 'Test Server',
      icon: null,
      owner_id: this.users.bob.id,
      joined_at: new Date(0).toISOString(),
      large: false,
      unavailable: false,
      member_count: 3,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      preferred_locale: 'en-US',
      system_channel_id: null,
      features: [],
      emojis: [],
      stickers: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      roles: [
        this.#role(this.guildId, '@everyone', MEMBER_PERMISSIONS, 0),
        this.#role('1000000000000000150', 'JustLayMe', PERMISSION.MANAGE_WEBHOOKS, 1),
      ],
      channels: [
        channel(this.channels.general, 'general', false, 0),
        channel(this.channels.nsfw, 'after-dark', true, 1),
        channel(this.channels.other, 'other', false, 2),
      ],
      threads: [
        {
          id: this.channels.thread,
          type: 11,
          guild_id: this.guildId,
          parent_id: this.channels.general,
          name: 'a thread',
          owner_id: this.users.alice.id,
          member_count: 2,
          message_count: 0,
          thread_metadata: {
            archived: false,
            auto_archive_duration: 1440,
            archive_timestamp: new Date(0).toISOString(),
            locked: false,
          },
        },
      ],
      members: [
        {
          user: this.#apiUser(this.bot),
          roles: ['1000000000000000150'],
          joined_at: new Date(0).toISOString(),
          deaf: false,
          mute: false,
          flags: 0,
        },
      ],
    }
  }

  /** A server with one text channel and the bot as a member (for sharding tests). */
  #extraGuild(guild: ExtraGuild): Record<string, unknown> {
    const base = this.#guildCreate() as { roles: unknown[]; members: unknown[] }
    return {
      ...base,
      id: guild.id,
      name: `Server ${guild.id}`,
      roles: [
        this.#role(guild.id, '@everyone', MEMBER_PERMISSIONS, 0),
        this.#role('1000000000000000150', 'JustLayMe', PERMISSION.MANAGE_WEBHOOKS, 1),
      ],
      channels: [
        {
          id: guild.channelId,
          type: 0,
          guild_id: guild.id,
          name: 'lobby',
          position: 0,
          permission_overwrites: [],
          nsfw: false,
          parent_id: null,
          topic: null,
          rate_limit_per_user: 0,
          last_message_id: null,
        },
      ],
      threads: [],
    }
  }

  #role(id: string, name: string, permissions: bigint, position: number) {
    return {
      id,
      name,
      color: 0,
      hoist: false,
      position,
      permissions: permissions.toString(),
      managed: false,
      mentionable: false,
      flags: 0,
    }
  }

  #apiUser(user: DoubleUser): Record<string, unknown> {
    return {
      id: user.id,
      username: user.username,
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: user.bot ?? false,
    }
  }

  #apiChannel(channelId: string): Record<string, unknown> {
    if (channelId === this.channels.thread) {
      return {
        id: channelId,
        type: 11,
        guild_id: this.guildId,
        parent_id: this.channels.general,
        name: 'a thread',
      }
    }
    const guildId = this.#guildOf(channelId)
    if (guildId) {
      return {
        id: channelId,
        type: 0,
        guild_id: guildId,
        name: 'channel',
        nsfw: channelId === this.channels.nsfw,
      }
    }
    const recipient = [...this.dmChannels.entries()].find(([, c]) => c === channelId)?.[0]
    return {
      id: channelId,
      type: 1,
      recipients: recipient ? [{ id: recipient, username: 'user', discriminator: '0' }] : [],
    }
  }

  /** The server a channel belongs to; null for a DM channel. */
  #guildOf(channelId: string): string | null {
    if (Object.values(this.channels).includes(channelId)) return this.guildId
    return this.extraGuilds.find((g) => g.channelId === channelId)?.id ?? null
  }

  /** The DM channel id between the bot and a user (created on first use). */
  dmChannelFor(userId: string): string {
    let id = this.dmChannels.get(userId)
    if (!id) {
      id = this.#id()
      this.dmChannels.set(userId, id)
    }
    return id
  }

  /** A snowflake like Discord's: creation time (ms since 2015) above bit 22, always growing. */
  #id(): string {
    const now = (BigInt(Date.now()) - DISCORD_EPOCH) << 22n
    this.#lastId = now > this.#lastId ? now : this.#lastId + 1n
    return this.#lastId.toString()
  }

  #store(input: Partial<StoredMessage> & { id: string; channelId: string }): StoredMessage {
    const message: StoredMessage = {
      content: '',
      authorId: this.bot.id,
      username: this.bot.username,
      avatarUrl: null,
      webhookId: null,
      interactionToken: null,
      flags: 0,
      components: [],
      attachments: [],
      allowedMentions: undefined,
      referencedMessageId: null,
      edits: 0,
      deleted: false,
      ...input,
    }
    this.messages.set(message.id, message)
    return message
  }

  #apiMessage(m: StoredMessage): Record<string, unknown> {
    const guildId = this.#guildOf(m.channelId)
    return {
      id: m.id,
      channel_id: m.channelId,
      ...(guildId ? { guild_id: guildId } : {}),
      author: {
        id: m.webhookId ?? m.authorId,
        username: m.username,
        discriminator: '0000',
        global_name: null,
        avatar: null,
        bot: m.authorId === this.bot.id || m.webhookId !== null,
      },
      content: m.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: m.edits > 0 ? new Date().toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: m.content.includes(`<@${this.bot.id}>`) ? [this.#apiUser(this.bot)] : [],
      mention_roles: [],
      attachments: m.attachments.map((a, i) => ({
        id: `${m.id}${i}`,
        filename: a.filename,
        size: a.content.length,
        url: `http://127.0.0.1:${this.#port}/files/${m.id}/${a.filename}`,
        proxy_url: `http://127.0.0.1:${this.#port}/files/${m.id}/${a.filename}`,
      })),
      embeds: [],
      pinned: false,
      type: m.referencedMessageId ? 19 : 0,
      flags: m.flags,
      components: m.components,
      ...(m.webhookId ? { webhook_id: m.webhookId } : {}),
      ...(m.referencedMessageId
        ? { message_reference: { message_id: m.referencedMessageId, channel_id: m.channelId } }
        : {}),
    }
  }

  // ---- HTTP plumbing ----------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const method = req.method ?? 'GET'
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks)
    let body: unknown
    try {
      body = await parseBody(req.headers['content-type'] ?? '', raw)
    } catch {
      body = undefined
    }
    const path = url.pathname.replace(/^\/api\/v10/, '')
    const record: RecordedRequest = {
      method,
      path,
      query: url.searchParams,
      body,
      at: Date.now(),
      status: 0,
    }
    this.requests.push(record)
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      record.status = status
      res.writeHead(status, {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      })
      res.end(payload === undefined ? undefined : JSON.stringify(payload))
    }

    if (method === 'GET' && path.startsWith('/cdn/attachments/')) {
      const file = this.files.get(path)
      record.status = file ? 200 : 404
      if (!file) return void res.writeHead(404).end()
      res.writeHead(200, {
        'content-type': file.contentType ?? 'application/octet-stream',
        'content-length': String(file.bytes.byteLength),
      })
      return void res.end(file.bytes)
    }

    const fault = this.#faults.find(
      (f) => f.remaining > 0 && f.path.test(path) && (!f.method || f.method === method),
    )
    if (fault) {
      fault.remaining -= 1
      if (fault.status === 429) {
        const retryAfter = 0.4
        send(
          429,
          { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
          {
            'retry-after': String(retryAfter),
            'x-ratelimit-limit': String(this.#rateLimit.limit),
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String((Date.now() + retryAfter * 1000) / 1000),
            'x-ratelimit-reset-after': String(retryAfter),
            'x-ratelimit-bucket': 'forced',
            'x-ratelimit-scope': 'user',
          },
        )
      } else {
        send(fault.status, {
          message: fault.code === 50013 ? 'Missing Permissions' : 'Upstream error',
          code: fault.code,
        })
      }
      return
    }

    for (const route of this.#routes) {
      if (route.method !== method) continue
      const match = route.re.exec(path)
      if (!match) continue
      const params: Params = {}
      route.keys.forEach((k, i) => {
        params[k] = decodeURIComponent(match[i + 1] ?? '')
      })
      const rateKey = this.#rateKey(method, params, path)
      let headers: Record<string, string> = {}
      if (rateKey) {
        const limited = this.#takeToken(rateKey)
        headers = limited.headers
        if (limited.retryAfter !== null) {
          send(
            429,
            {
              message: 'You are being rate limited.',
              retry_after: limited.retryAfter,
              global: false,
            },
            {
              ...headers,
              'retry-after': String(limited.retryAfter),
              'x-ratelimit-scope': 'user',
            },
          )
          return
        }
      }
      try {
        const result = await route.handler(params, body, url.searchParams, res)
        if (result instanceof HttpAnswer) send(result.status, result.body, headers)
        else if (result === undefined) send(204, undefined, headers)
        else send(200, result, headers)
      } catch (err) {
        send(500, { message: err instanceof Error ? err.message : String(err), code: 0 })
      }
      return
    }
    send(404, { message: `404: Not Found (${method} ${path})`, code: 0 })
  }

  /** The per-channel bucket a message create/edit/delete counts against (null: not limited). */
  #rateKey(method: string, params: Params, path: string): string | null {
    if (method === 'GET') return null
    if (path.startsWith('/interactions/')) return null
    if (params.channel && /\/messages/.test(path)) return `channel:${params.channel}`
    if (params.webhook) {
      const hook = this.webhooks.get(params.webhook)
      if (hook) return `channel:${hook.channelId}`
      const interaction = this.interactions.get(params.token ?? '')
      if (interaction) return `interaction:${interaction.token}`
    }
    return null
  }

  #takeToken(key: string): { retryAfter: number | null; headers: Record<string, string> } {
    const now = Date.now()
    let bucket = this.#buckets.get(key)
    if (!bucket || bucket.resetAt <= now) {
      bucket = { remaining: this.#rateLimit.limit, resetAt: now + this.#rateLimit.windowMs }
      this.#buckets.set(key, bucket)
    }
    const resetAfter = Math.max(0, (bucket.resetAt - now) / 1000)
    const headers = (remaining: number) => ({
      'x-ratelimit-limit': String(this.#rateLimit.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': (bucket.resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-bucket': `bucket-${key.split(':')[0]}`,
    })
    if (bucket.remaining <= 0) {
      return { retryAfter: Number(resetAfter.toFixed(3)), headers: headers(0) }
    }
    bucket.remaining -= 1
    return { retryAfter: null, headers: headers(bucket.remaining) }
  }

  #route(method: string, pattern: string, handler: Handler): void {
    const keys: string[] = []
    const re = new RegExp(
      `^${pattern.replace(/:(\w+)/g, (_m, k: string) => {
        keys.push(k)
        return '([^/]+)'
      })}$`,
    )
    this.#routes.push({ method, re, keys, handler })
  }

  #defineRoutes(): void {
    this.#route('GET', '/gateway/bot', () => ({
      url: `ws://127.0.0.1:${this.#port}/gateway`,
      shards: this.#recommendedShards,
      session_start_limit: {
        total: 1000,
        remaining: 1000 - this.#gateway.identifies.length,
        reset_after: 86_400_000,
        max_concurrency: 1,
      },
    }))
    this.#route('GET', '/users/@me', () => this.#apiUser(this.bot))
    this.#route('GET', '/applications/@me', () => ({
      id: this.applicationId,
      name: 'JustLayMe',
      flags: 0,
      bot_public: true,
    }))
    const overwrite: Handler = (params, body) => {
      const list = (Array.isArray(body) ? body : []).map((c: Record<string, unknown>) => ({
        ...c,
        id: this.#id(),
        application_id: this.applicationId,
        version: '1',
        type: c.type ?? 1,
        ...(params.guild ? { guild_id: params.guild } : {}),
      }))
      this.commands.set(params.guild ?? 'global', list)
      return list
    }
    this.#route('GET', '/applications/:app/commands', () => this.commands.get('global') ?? [])
    this.#route(
      'GET',
      '/applications/:app/guilds/:guild/commands',
      (params) => this.commands.get(params.guild ?? '') ?? [],
    )
    this.#route('PUT', '/applications/:app/commands', overwrite)
    this.#route('PUT', '/applications/:app/guilds/:guild/commands', overwrite)
    this.#route('POST', '/users/@me/channels', (_p, body) => {
      const recipient = String((body as { recipient_id?: string })?.recipient_id ?? '')
      return { ...this.#apiChannel(this.dmChannelFor(recipient)), last_message_id: null }
    })
    this.#route('GET', '/channels/:channel', (p) => this.#apiChannel(p.channel ?? ''))
    this.#route('POST', '/channels/:channel/typing', () => undefined)
    this.#route('POST', '/channels/:channel/messages', (p, body) => {
      const invalid = validateContent(body)
      if (invalid) return invalid
      const payload = body as MessagePayload
      const message = this.#store({
        id: this.#id(),
        channelId: p.channel ?? '',
        ...fromPayload(payload),
        referencedMessageId: payload.message_reference?.message_id ?? null,
      })
      return this.#apiMessage(message)
    })
    this.#route('GET', '/channels/:channel/messages', (p, _body, query) =>
      this.#history(p.channel ?? '', query),
    )
    this.#route('GET', '/channels/:channel/messages/:message', (p) => {
      const m = this.messages.get(p.message ?? '')
      return m ? this.#apiMessage(m) : unknownMessage()
    })
    this.#route('PATCH', '/channels/:channel/messages/:message', (p, body) => {
      // Discord looks the message up in the channel of the URL, and only its author may edit it.
      const m = this.messages.get(p.message ?? '')
      if (!m || m.channelId !== p.channel) return unknownMessage()
      if (m.authorId !== this.bot.id || m.webhookId !== null) return cannotEditOthers()
      return this.#edit(m.id, body)
    })
    this.#route('DELETE', '/channels/:channel/messages/:message', (p) => {
      const m = this.messages.get(p.message ?? '')
      if (!m) return unknownMessage()
      m.deleted = true
      return undefined
    })
    this.#route('GET', '/channels/:channel/webhooks', (p) => {
      if (!this.webhookPermission) return missingPermissions()
      return [...this.webhooks.values()]
        .filter((w) => w.channelId === p.channel)
        .map((w) => this.#apiWebhook(w))
    })
    this.#route('POST', '/channels/:channel/webhooks', (p, body) => {
      if (!this.webhookPermission) return missingPermissions()
      const name = String((body as { name?: string })?.name ?? '')
      if (/discord/i.test(name)) return invalidForm('name', 'Username cannot contain "discord"')
      const hook = { id: this.#id(), token: `wtoken-${this.#id()}`, channelId: p.channel ?? '' }
      this.webhooks.set(hook.id, hook)
      return this.#apiWebhook(hook, name)
    })
    this.#route('POST', '/webhooks/:webhook/:token', (p, body, query) =>
      this.#executeWebhook(p, body, query),
    )
    this.#route('PATCH', '/webhooks/:webhook/:token/messages/:message', (p, body) => {
      const id = this.#resolveWebhookMessage(p)
      return id ? this.#edit(id, body) : unknownMessage()
    })
    this.#route('GET', '/webhooks/:webhook/:token/messages/:message', (p) => {
      const id = this.#resolveWebhookMessage(p)
      const m = id ? this.messages.get(id) : undefined
      return m ? this.#apiMessage(m) : unknownMessage()
    })
    this.#route('DELETE', '/webhooks/:webhook/:token/messages/:message', (p) => {
      const id = this.#resolveWebhookMessage(p)
      const m = id ? this.messages.get(id) : undefined
      if (!m) return unknownMessage()
      m.deleted = true
      return undefined
    })
    this.#route('POST', '/interactions/:id/:token/callback', (p, body, query) =>
      this.#interactionCallback(p, body, query),
    )
  }

  #apiWebhook(hook: { id: string; token: string; channelId: string }, name = 'JustLayMe') {
    return {
      id: hook.id,
      type: 1,
      token: hook.token,
      channel_id: hook.channelId,
      guild_id: this.guildId,
      name,
      avatar: null,
      application_id: this.applicationId,
      user: this.#apiUser(this.bot),
    }
  }

  /** The message a webhook URL may reach: only one that webhook (or interaction) sent. */
  #resolveWebhookMessage(p: Params): string | null {
    const id =
      p.message === '@original'
        ? (this.interactions.get(p.token ?? '')?.originalId ?? null)
        : (p.message ?? null)
    const m = id ? this.messages.get(id) : undefined
    if (!m) return null
    const hook = this.webhooks.get(p.webhook ?? '')
    const viaHook = hook !== undefined && hook.token === p.token && m.webhookId === hook.id
    const viaInteraction = p.webhook === this.applicationId && m.interactionToken === p.token
    return viaHook || viaInteraction ? m.id : null
  }

  #executeWebhook(p: Params, body: unknown, query: URLSearchParams): unknown {
    const invalid = validateContent(body)
    if (invalid) return invalid
    const payload = body as MessagePayload
    const hook = this.webhooks.get(p.webhook ?? '')
    const interaction = this.interactions.get(p.token ?? '')
    if (hook && hook.token === p.token) {
      if (payload.username && /discord/i.test(payload.username)) {
        return invalidForm('username', 'Username cannot contain "discord"')
      }
      const message = this.#store({
        id: this.#id(),
        channelId: query.get('thread_id') ?? hook.channelId,
        ...fromPayload(payload),
        authorId: hook.id,
        webhookId: hook.id,
        username: payload.username ?? 'JustLayMe',
        avatarUrl: payload.avatar_url ?? null,
      })
      return query.get('wait') === 'true' ? this.#apiMessage(message) : undefined
    }
    if (interaction && p.webhook === this.applicationId) {
      const message = this.#store({
        id: this.#id(),
        channelId: interaction.channelId,
        ...fromPayload(payload),
        interactionToken: interaction.token,
      })
      return this.#apiMessage(message)
    }
    return new HttpAnswer(404, { message: 'Unknown Webhook', code: 10015 })
  }

  #interactionCallback(p: Params, body: unknown, query: URLSearchParams): unknown {
    const interaction = this.interactions.get(p.token ?? '')
    const expired = interaction && Date.now() - interaction.createdAt > INTERACTION_ACK_MS
    if (!interaction || interaction.id !== p.id || expired) {
      return new HttpAnswer(404, { message: 'Unknown interaction', code: 10062 })
    }
    const {
      type,
      data: rawData,
      files,
    } = body as {
      type: number
      data?: Record<string, unknown>
      files?: unknown[]
    }
    const data = files?.length ? { ...rawData, files } : rawData
    if (interaction.callbacks.length > 0) {
      return new HttpAnswer(400, {
        message: 'Interaction has already been acknowledged.',
        code: 40060,
      })
    }
    if (type === 4 && data) {
      const invalid = validateContent(data)
      if (invalid) return invalid
    }
    interaction.callbacks.push({ type, data, at: Date.now() })
    if (type === 4 || type === 5) {
      const message = this.#store({
        id: this.#id(),
        channelId: interaction.channelId,
        ...fromPayload((data ?? {}) as MessagePayload),
        interactionToken: interaction.token,
      })
      interaction.originalId = message.id
    }
    if (query.get('with_response') === 'true') {
      const original = interaction.originalId ? this.messages.get(interaction.originalId) : null
      return {
        interaction: { id: interaction.id, type: 2 },
        resource: original ? { type, message: this.#apiMessage(original) } : { type },
      }
    }
    return undefined
  }

  /**
   * `GET /channels/:id/messages`: `after` (the oldest ones after it) or `before`/none (the
   * newest ones), `limit` 1-100 (default 50), always returned newest first.
   */
  #history(channelId: string, query: URLSearchParams): unknown {
    const limit = Number(query.get('limit') ?? 50)
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return invalidForm('limit', 'int value should be less than or equal to 100.')
    }
    const after = query.get('after')
    const before = query.get('before')
    const byId = (a: StoredMessage, b: StoredMessage) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1)
    const list = this.channelMessages(channelId).sort(byId)
    const page = after
      ? list.filter((m) => BigInt(m.id) > BigInt(after)).slice(0, limit)
      : list.filter((m) => !before || BigInt(m.id) < BigInt(before)).slice(-limit)
    return page.reverse().map((m) => this.#apiMessage(m))
  }

  #edit(id: string, body: unknown): unknown {
    const m = this.messages.get(id)
    if (!m || m.deleted) return unknownMessage()
    const invalid = validateContent(body, true)
    if (invalid) return invalid
    const payload = body as MessagePayload
    if (payload.content !== undefined) m.content = payload.content ?? ''
    if (payload.components !== undefined) m.components = payload.components
    if (payload.flags !== undefined) m.flags = payload.flags
    m.allowedMentions = payload.allowed_mentions
    m.edits += 1
    return this.#apiMessage(m)
  }
}
