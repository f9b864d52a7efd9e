import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { TelegramFilesDouble } from './telegram-files.js'
import { parseTelegramHtml, type TelegramEntity } from './telegram-html.js'
import { TelegramPaymentsDouble } from './telegram-payments.js'

/**
 * A local Telegram Bot API double: a real HTTP server speaking `POST /bot<token>/<method>`
 * (JSON and multipart) so the real grammY client runs unchanged against it. It enforces the
 * errors bots trip over: the 4,096-character limit after entity parsing, HTML parse errors,
 * "message is not modified" and 429 flood control with `retry_after`.
 */

export type ChatType = 'private' | 'group' | 'supergroup'

export interface DoubleMessage {
  readonly message_id: number
  readonly chatId: number
  readonly fromBot: boolean
  readonly userId?: number | undefined
  readonly threadId?: number | undefined
  /** Visible text (after entity parsing). */
  text: string
  entities: TelegramEntity[]
  /** The text as sent, with markup. */
  source: string
  parseMode?: string | undefined
  /** Parse mode of the latest send/edit request that was valid, also when "not modified". */
  requestedParseMode?: string | undefined
  replyMarkup?: unknown
  document?: { readonly fileName: string; readonly content: string } | undefined
  caption?: string | undefined
  edits: number
  readonly date: number
}

export interface RecordedCall {
  readonly method: string
  readonly body: Record<string, any>
  readonly at: number
  /** The error description when the double answered `ok: false`. */
  error?: string | undefined
}

export interface FloodRule {
  /** Sends/edits allowed per window in this chat. */
  readonly max: number
  readonly windowMs: number
  readonly retryAfterSeconds: number
}

interface ForcedError {
  readonly code: number
  readonly description: string
  readonly parameters?: Record<string, unknown> | undefined
  remaining: number
}

interface Waiter {
  readonly offset: number
  readonly limit: number
  readonly resolve: (updates: unknown[]) => void
}

const BOT_USER = { id: 777000111, is_bot: true, first_name: 'JustLayMe', username: 'JustLayMeBot' }
const USER_MENTION = /@\w{3,32}/g

class ApiError extends Error {
  readonly code: number
  readonly parameters: Record<string, unknown> | undefined
  constructor(code: number, description: string, parameters?: Record<string, unknown>) {
    super(description)
    this.code = code
    this.parameters = parameters
  }
}

const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`)

/**
 * Telegram's documented limits, on in every chat unless a test turns them off: in a private
 * chat about one message per second with short bursts tolerated, in a group 20 per minute.
 */
export function defaultFloodRule(chatId: number): FloodRule {
  return chatId < 0
    ? { max: 20, windowMs: 60_000, retryAfterSeconds: 10 }
    : { max: 8, windowMs: 5_000, retryAfterSeconds: 3 }
}

/** What Telegram accepts as an inline keyboard URL: http(s) or tg, with a real host name. */
function validButtonUrl(raw: unknown): boolean {
  if (typeof raw !== 'string' || raw.length === 0) return false
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false
  }
  if (url.protocol === 'tg:') return true
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  return url.hostname !== 'localhost' && url.hostname.includes('.')
}

/** Refuses a reply markup with a URL button Telegram would refuse. */
function checkReplyMarkup(markup: unknown): void {
  const rows = (markup as { inline_keyboard?: unknown } | undefined)?.inline_keyboard
  if (rows === undefined) return
  if (!Array.isArray(rows)) throw badRequest('field "inline_keyboard" must be an Array')
  for (const row of rows) {
    if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" must be an Array of Array')
    for (const button of row as { url?: unknown; text?: unknown }[]) {
      if (typeof button.text !== 'string' || button.text.length === 0) {
        throw badRequest('text buttons are unallowed in the inline keyboard')
      }
      if (button.url !== undefined && !validButtonUrl(button.url)) {
        throw badRequest('BUTTON_URL_INVALID')
      }
    }
  }
}

export class TelegramApiDouble {
  readonly token: string
  readonly botUser = BOT_USER
  readonly calls: RecordedCall[] = []
  readonly commands = new Map<string, { command: string; description: string }[]>()
  /** Files users sent: `getFile` and the file downloads. */
  readonly files = new TelegramFilesDouble()
  readonly answeredCallbacks = new Map<string, { text?: string | undefined }>()
  webhook: { url: string; secretToken?: string | undefined } | undefined
  readonly #server: Server
  readonly #events = new EventEmitter()
  readonly #chats = new Map<number, { type: ChatType; title?: string | undefined }>()
  readonly #messages = new Map<number, Map<number, DoubleMessage>>()
  readonly #nextMessageId = new Map<number, number>()
  readonly #updates: { update_id: number }[] = []
  #nextUpdateId = 1
  #waiters: Waiter[] = []
  /** Per-chat rules; `null` turns flood control off for that chat on purpose. */
  readonly #flood = new Map<number, FloodRule | null>()
  #floodByDefault = true
  readonly #sent = new Map<number, number[]>()
  readonly #blockedUntil = new Map<number, number>()
  readonly #rejectHtml = new Set<number>()
  readonly #forced = new Map<string, ForcedError[]>()
  readonly #admins = new Set<string>()
  readonly #neverStarted = new Set<number>()
  #callbackId = 1
  /** Stars invoices, pre-checkout queries, payments, subscriptions and refunds. */
  readonly payments: TelegramPaymentsDouble

  private constructor(token: string) {
    this.token = token
    this.payments = new TelegramPaymentsDouble({
      enqueue: (update) => this.#enqueue(update as { update_id: number }),
      nextUpdateId: () => this.#nextUpdateId++,
      nextMessageId: (chatId) => {
        const id = this.#nextMessageId.get(chatId) ?? 1
        this.#nextMessageId.set(chatId, id + 1)
        return id
      },
    })
    this.#events.setMaxListeners(0)
    this.#server = createServer((req, res) => void this.#handle(req, res))
  }

  /** Starts a double on 127.0.0.1 with a random port. */
  static async start(token = '123456:TEST-token_abc'): Promise<TelegramApiDouble> {
    const double = new TelegramApiDouble(token)
    await new Promise<void>((resolve) =>
      double.#server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
    )
    return double
  }

  /** For grammY's `client.apiRoot`. */
  get apiRoot(): string {
    const { port } = this.#server.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  async close(): Promise<void> {
    for (const waiter of this.#waiters) waiter.resolve([])
    this.#waiters = []
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  // ---- knobs -------------------------------------------------------------------------------

  /**
   * Limits sends and edits in a chat; the request over the limit gets 429 with `retry_after`.
   * `undefined` restores Telegram's default limits for the chat, `null` turns them off.
   */
  setFloodRule(chatId: number, rule: FloodRule | null | undefined): void {
    if (rule === undefined) this.#flood.delete(chatId)
    else this.#flood.set(chatId, rule)
  }

  /** Turns Telegram's default flood control (on unless a test says otherwise) on or off. */
  floodControl(on: boolean): void {
    this.#floodByDefault = on
  }

  /** Rejects every HTML-formatted text in this chat with "can't parse entities". */
  rejectHtml(chatId: number, reject = true): void {
    if (reject) this.#rejectHtml.add(chatId)
    else this.#rejectHtml.delete(chatId)
  }

  /** The next `times` calls of `method` fail with this error (e.g. 500 or 429). */
  failNext(
    method: string,
    error: { code: number; description: string; parameters?: Record<string, unknown> },
    times = 1,
  ): void {
    const list = this.#forced.get(method) ?? []
    list.push({ ...error, remaining: times })
    this.#forced.set(method, list)
  }

  /**
   * The user never opened a private chat with the bot: like Telegram, sends to their private
   * chat fail with 403 "bot can't initiate conversation with a user".
   */
  neverStarted(userId: number): void {
    this.#neverStarted.add(userId)
  }

  #checkCanInitiate(chatId: number): void {
    if (this.#neverStarted.has(chatId)) {
      throw new ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    }
  }

  setAdmin(chatId: number, userId: number): void {
    this.#admins.add(`${chatId}:${userId}`)
  }

  // ---- injecting updates -------------------------------------------------------------------

  /** Builds a message update (with `bot_command` and `mention` entities) without queueing it. */
  messageUpdate(input: {
    chatId: number
    chatType?: ChatType
    userId: number
    firstName?: string
    text: string
    replyTo?: number
    threadId?: number
  }): { update_id: number; message: Record<string, unknown> } {
    const chatType = input.chatType ?? (input.chatId > 0 ? 'private' : 'supergroup')
    this.#chats.set(input.chatId, {
      type: chatType,
      title: chatType === 'private' ? undefined : 'Group',
    })
    const from = {
      id: input.userId,
      is_bot: false,
      first_name: input.firstName ?? `User${input.userId}`,
    }
    const stored = this.#store(input.chatId, {
      fromBot: false,
      userId: input.userId,
      threadId: input.threadId,
      text: input.text,
      entities: autoEntities(input.text),
      source: input.text,
    })
    const message: Record<string, unknown> = {
      ...this.#messageJson(stored),
      from,
    }
    if (input.replyTo !== undefined) {
      const replied = this.#messages.get(input.chatId)?.get(input.replyTo)
      if (replied) message.reply_to_message = this.#messageJson(replied)
    }
    return { update_id: this.#nextUpdateId++, message }
  }

  /**
   * Queues a message with a photo, document, sticker, voice or video (and an optional caption,
   * with `mention` entities) whose files `getFile` and `/file/bot<token>/...` then serve.
   */
  injectMedia(input: {
    chatId: number
    chatType?: ChatType
    userId: number
    caption?: string
    photo?: Uint8Array
    document?: { fileName: string; bytes: Uint8Array; mimeType?: string; size?: number }
    sticker?: boolean
    voice?: boolean
    video?: boolean
  }) {
    const update = this.messageUpdate({ ...input, text: '' })
    const m = update.message
    delete m.text
    delete m.entities
    if (input.caption) {
      m.caption = input.caption
      const entities = autoEntities(input.caption).filter((e) => e.type === 'mention')
      if (entities.length) m.caption_entities = entities
    }
    if (input.photo) {
      // Telegram sends several sizes, smallest first; the last is the picture as sent.
      const full = this.files.add(input.photo, 'photos', 'jpg')
      const thumb = this.files.add(input.photo.subarray(0, 64), 'photos', 'jpg')
      m.photo = [
        { ...thumb, width: 90, height: 90 },
        { ...full, width: 1280, height: 960 },
      ]
    }
    if (input.document) {
      const d = input.document
      const ext = d.fileName.split('.').pop() ?? 'bin'
      m.document = {
        ...this.files.add(d.bytes, 'documents', ext, d.size),
        file_name: d.fileName,
        ...(d.mimeType ? { mime_type: d.mimeType } : {}),
      }
    }
    const stub = (folder: string, ext: string) => this.files.add(new Uint8Array(16), folder, ext)
    if (input.sticker) {
      m.sticker = { ...stub('stickers', 'tgs'), type: 'regular', width: 512, height: 512 }
      Object.assign(m.sticker as object, { is_animated: true, is_video: false })
    }
    if (input.voice) m.voice = { ...stub('voice', 'oga'), duration: 3 }
    if (input.video) m.video = { ...stub('videos', 'mp4'), width: 640, height: 480, duration: 3 }
    return this.#enqueue(update)
  }

  /** Queues a message for `getUpdates` and returns the update. */
  injectMessage(input: Parameters<TelegramApiDouble['messageUpdate']>[0]) {
    return this.#enqueue(this.messageUpdate(input))
  }

  /** Queues a click on an inline button of one of the bot's messages. */
  injectCallbackQuery(input: { chatId: number; userId: number; messageId: number; data: string }) {
    const message = this.#messages.get(input.chatId)?.get(input.messageId)
    const id = String(this.#callbackId++)
    return this.#enqueue({
      update_id: this.#nextUpdateId++,
      callback_query: {
        id,
        from: { id: input.userId, is_bot: false, first_name: `User${input.userId}` },
        chat_instance: `ci${input.chatId}`,
        data: input.data,
        ...(message ? { message: this.#messageJson(message) } : {}),
      },
    })
  }

  #enqueue<U extends { update_id: number }>(update: U): U {
    this.#updates.push(update)
    this.#serveWaiters()
    return update
  }

  // ---- reading state -----------------------------------------------------------------------

  /** The bot's messages in a chat (current text after edits), oldest first. */
  botMessages(chatId: number): DoubleMessage[] {
    return [...(this.#messages.get(chatId)?.values() ?? [])].filter((m) => m.fromBot)
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method)
  }

  /**
   * Resolves with `check()`'s first truthy value, re-checked on every API call (and every
   * 50 ms, for conditions on state outside the double).
   */
  async until<T>(check: () => T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
    const first = check()
    if (first) return first
    return new Promise<T>((resolve, reject) => {
      const onChange = () => {
        const value = check()
        if (!value) return
        cleanup()
        resolve(value)
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`condition not met within ${timeoutMs} ms`))
      }, timeoutMs)
      const poll = setInterval(onChange, 50)
      const cleanup = () => {
        clearTimeout(timer)
        clearInterval(poll)
        this.#events.off('change', onChange)
      }
      this.#events.on('change', onChange)
    })
  }

  // ---- HTTP --------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '')
    const raw = await readBody(req)
    if (req.method === 'GET' && this.files.serve(req.url ?? '', this.token, res)) return
    if (!match || req.method !== 'POST')
      return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' })
    if (match[1] !== this.token) {
      return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' })
    }
    const method = match[2] as string
    let body: Record<string, any>
    try {
      body = parseBody(req.headers['content-type'] ?? '', raw)
    } catch {
      return send(res, 400, {
        ok: false,
        error_code: 400,
        description: 'Bad Request: invalid body',
      })
    }
    const call: RecordedCall = { method, body, at: Date.now() }
    this.calls.push(call)
    try {
      this.#forcedError(method)
      const result = await this.#dispatch(method, body, res)
      send(res, 200, { ok: true, result })
    } catch (err) {
      const coded = err as { code?: unknown; message?: string }
      const e =
        err instanceof ApiError
          ? err
          : typeof coded.code === 'number' && coded.message
            ? new ApiError(coded.code, coded.message)
            : new ApiError(500, 'Internal Server Error')
      call.error = e.message
      send(res, e.code, {
        ok: false,
        error_code: e.code,
        description: e.message,
        ...(e.parameters ? { parameters: e.parameters } : {}),
      })
    }
    this.#events.emit('change')
  }

  #forcedError(method: string): void {
    const list = this.#forced.get(method)
    const next = list?.[0]
    if (!list || !next) return
    next.remaining--
    if (next.remaining <= 0) list.shift()
    throw new ApiError(next.code, next.description, next.parameters)
  }

  async #dispatch(
    method: string,
    body: Record<string, any>,
    res: ServerResponse,
  ): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return {
          ...this.botUser,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        }
      case 'setWebhook':
        this.webhook = { url: String(body.url), secretToken: body.secret_token }
        return true
      case 'deleteWebhook':
        this.webhook = undefined
        return true
      case 'getUpdates':
        return this.#getUpdates(body, res)
      case 'setMyCommands':
        this.#setMyCommands(body)
        return true
      case 'sendChatAction':
        return true
      case 'answerCallbackQuery':
        this.answeredCallbacks.set(String(body.callback_query_id), { text: body.text })
        return true
      case 'getChatMember':
        return this.#chatMember(Number(body.chat_id), Number(body.user_id))
      case 'sendMessage':
        return this.#sendMessage(body)
      case 'editMessageReplyMarkup':
        return this.#editMessageReplyMarkup(body)
      case 'editMessageText':
        return this.#editMessageText(body)
      case 'deleteMessage': {
        const chat = this.#messages.get(Number(body.chat_id))
        if (!chat?.delete(Number(body.message_id))) throw badRequest('message to delete not found')
        return true
      }
      case 'sendDocument':
        return this.#sendDocument(body)
      case 'getFile':
        return this.files.getFile(body)
      default:
        if (this.payments.handles(method)) return this.payments.dispatch(method, body)
        throw new ApiError(404, 'Not Found: method not found')
    }
  }

  #getUpdates(body: Record<string, any>, res: ServerResponse): Promise<unknown[]> | unknown[] {
    if (this.webhook) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      )
    }
    const offset = Number(body.offset ?? 0)
    const limit = Number(body.limit ?? 100)
    const timeout = Number(body.timeout ?? 0)
    const ready = this.#takeUpdates(offset, limit)
    if (ready.length > 0 || timeout <= 0) return ready
    return new Promise((resolve) => {
      const waiter: Waiter = { offset, limit, resolve: (u) => done(u) }
      const timer = setTimeout(() => done([]), timeout * 1000)
      const done = (updates: unknown[]) => {
        clearTimeout(timer)
        this.#waiters = this.#waiters.filter((w) => w !== waiter)
        resolve(updates)
      }
      res.on('close', () => done([]))
      this.#waiters.push(waiter)
    })
  }

  #takeUpdates(offset: number, limit: number): unknown[] {
    while (this.#updates.length > 0 && (this.#updates[0]?.update_id ?? 0) < offset)
      this.#updates.shift()
    return this.#updates.slice(0, limit)
  }

  #serveWaiters(): void {
    for (const waiter of [...this.#waiters]) {
      const ready = this.#takeUpdates(waiter.offset, waiter.limit)
      if (ready.length > 0) waiter.resolve(ready)
    }
  }

  #setMyCommands(body: Record<string, any>): void {
    const commands = body.commands as { command: string; description: string }[]
    for (const c of commands) {
      if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest('BOT_COMMAND_INVALID')
      if (!c.description || c.description.length > 256)
        throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID')
    }
    this.commands.set(String(body.scope?.type ?? 'default'), commands)
  }

  #chatMember(chatId: number, userId: number): unknown {
    const user = { id: userId, is_bot: false, first_name: `User${userId}` }
    if (chatId === userId) return { status: 'creator', user, is_anonymous: false }
    return this.#admins.has(`${chatId}:${userId}`)
      ? { status: 'administrator', user, can_be_edited: false, is_anonymous: false }
      : { status: 'member', user }
  }

  #checkFlood(chatId: number): void {
    const now = Date.now()
    const blocked = this.#blockedUntil.get(chatId) ?? 0
    const rule = this.#flood.has(chatId)
      ? this.#flood.get(chatId)
      : this.#floodByDefault
        ? defaultFloodRule(chatId)
        : null
    const tooMany = (after: number) =>
      new ApiError(429, `Too Many Requests: retry after ${after}`, { retry_after: after })
    if (blocked > now) throw tooMany(Math.max(1, Math.ceil((blocked - now) / 1000)))
    if (!rule) return
    const recent = (this.#sent.get(chatId) ?? []).filter((t) => t > now - rule.windowMs)
    if (recent.length >= rule.max) {
      this.#blockedUntil.set(chatId, now + rule.retryAfterSeconds * 1000)
      throw tooMany(rule.retryAfterSeconds)
    }
    recent.push(now)
    this.#sent.set(chatId, recent)
  }

  #formatted(chatId: number, text: unknown, parseMode: unknown) {
    if (typeof text !== 'string' || text.trim().length === 0)
      throw badRequest('message text is empty')
    let visible = text
    let entities: TelegramEntity[] = []
    if (parseMode === 'HTML') {
      if (this.#rejectHtml.has(chatId)) {
        throw badRequest(`can't parse entities: Unsupported start tag "b" at byte offset 0`)
      }
      const parsed = parseTelegramHtml(text)
      if (!parsed.ok) throw new ApiError(400, parsed.description)
      visible = parsed.text
      entities = parsed.entities
    } else if (parseMode !== undefined) {
      throw badRequest(`unsupported parse_mode ${String(parseMode)} in this double`)
    }
    if (visible.trim().length === 0) throw badRequest('message text is empty')
    if (visible.length > 4096) throw badRequest('message is too long')
    return { visible, entities }
  }

  #sendMessage(body: Record<string, any>): unknown {
    const chatId = Number(body.chat_id)
    this.#checkCanInitiate(chatId)
    const { visible, entities } = this.#formatted(chatId, body.text, body.parse_mode)
    checkReplyMarkup(body.reply_markup)
    this.#checkFlood(chatId)
    const stored = this.#store(chatId, {
      fromBot: true,
      threadId: body.message_thread_id === undefined ? undefined : Number(body.message_thread_id),
      text: visible,
      entities,
      source: body.text,
      parseMode: body.parse_mode,
      requestedParseMode: body.parse_mode,
      replyMarkup: body.reply_markup,
    })
    return this.#messageJson(stored)
  }

  #editMessageText(body: Record<string, any>): unknown {
    const chatId = Number(body.chat_id)
    const message = this.#messages.get(chatId)?.get(Number(body.message_id))
    if (!message?.fromBot) throw badRequest('message to edit not found')
    const { visible, entities } = this.#formatted(chatId, body.text, body.parse_mode)
    const markup = body.reply_markup
    checkReplyMarkup(markup)
    if (
      visible === message.text &&
      JSON.stringify(entities) === JSON.stringify(message.entities) &&
      JSON.stringify(markup) === JSON.stringify(message.replyMarkup)
    ) {
      message.requestedParseMode = body.parse_mode
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      )
    }
    this.#checkFlood(chatId)
    Object.assign(message, {
      text: visible,
      entities,
      source: body.text,
      parseMode: body.parse_mode,
      requestedParseMode: body.parse_mode,
      replyMarkup: markup,
      edits: message.edits + 1,
    })
    return this.#messageJson(message)
  }

  #editMessageReplyMarkup(body: Record<string, any>): unknown {
    const chatId = Number(body.chat_id)
    const message = this.#messages.get(chatId)?.get(Number(body.message_id))
    if (!message?.fromBot) throw badRequest('message to edit not found')
    const markup = body.reply_markup
    checkReplyMarkup(markup)
    if (JSON.stringify(markup) === JSON.stringify(message.replyMarkup)) {
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      )
    }
    this.#checkFlood(chatId)
    Object.assign(message, { replyMarkup: markup, edits: message.edits + 1 })
    return this.#messageJson(message)
  }

  #sendDocument(body: Record<string, any>): unknown {
    const chatId = Number(body.chat_id)
    this.#checkCanInitiate(chatId)
    const ref = String(body.document ?? '')
    const file = ref.startsWith('attach://') ? body[ref.slice('attach://'.length)] : undefined
    if (!file || typeof file !== 'object') throw badRequest('there is no document in the request')
    this.#checkFlood(chatId)
    const stored = this.#store(chatId, {
      fromBot: true,
      threadId: body.message_thread_id === undefined ? undefined : Number(body.message_thread_id),
      text: '',
      entities: [],
      source: '',
      document: { fileName: file.fileName, content: file.content },
      caption: body.caption,
    })
    return this.#messageJson(stored)
  }

  #store(
    chatId: number,
    m: Omit<DoubleMessage, 'message_id' | 'chatId' | 'edits' | 'date'>,
  ): DoubleMessage {
    const id = this.#nextMessageId.get(chatId) ?? 1
    this.#nextMessageId.set(chatId, id + 1)
    const stored: DoubleMessage = {
      ...m,
      message_id: id,
      chatId,
      edits: 0,
      date: Math.floor(Date.now() / 1000),
    }
    const chat = this.#messages.get(chatId) ?? new Map<number, DoubleMessage>()
    this.#messages.set(chatId, chat)
    chat.set(id, stored)
    return stored
  }

  #messageJson(m: DoubleMessage): Record<string, unknown> {
    const info = this.#chats.get(m.chatId) ?? { type: m.chatId > 0 ? 'private' : 'supergroup' }
    const chat =
      info.type === 'private'
        ? { id: m.chatId, type: 'private', first_name: `User${m.chatId}` }
        : {
            id: m.chatId,
            type: info.type,
            title: info.title ?? 'Group',
            ...(m.threadId ? { is_forum: true } : {}),
          }
    return {
      message_id: m.message_id,
      date: m.date,
      chat,
      ...(m.fromBot ? { from: this.botUser } : {}),
      ...(m.threadId ? { message_thread_id: m.threadId, is_topic_message: true } : {}),
      ...(m.document
        ? {
            document: {
              file_id: `f${m.message_id}`,
              file_unique_id: `u${m.message_id}`,
              file_name: m.document.fileName,
            },
          }
        : { text: m.text }),
      ...(m.entities.length > 0 ? { entities: m.entities } : {}),
      ...(m.replyMarkup ? { reply_markup: m.replyMarkup } : {}),
    }
  }
}

/** `bot_command` at the start and `mention`s, as Telegram clients produce them. */
function autoEntities(text: string): TelegramEntity[] {
  const entities: TelegramEntity[] = []
  const command = /^\/[a-zA-Z0-9_]+(@\w+)?/.exec(text)
  if (command) entities.push({ type: 'bot_command', offset: 0, length: command[0].length })
  for (const m of text.matchAll(USER_MENTION)) {
    if (command && m.index < command[0].length) continue
    entities.push({ type: 'mention', offset: m.index, length: m[0].length })
  }
  return entities
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => resolve(Buffer.concat(parts)))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function parseBody(contentType: string, raw: Buffer): Record<string, any> {
  if (raw.length === 0) return {}
  if (contentType.includes('application/json')) return JSON.parse(raw.toString('utf8'))
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2]
  if (!contentType.includes('multipart/form-data') || !boundary) throw new Error('unsupported body')
  return parseMultipart(raw, boundary)
}

/** Parses grammY's multipart bodies: fields become (JSON-decoded) values, files `{fileName, content}`. */
function parseMultipart(raw: Buffer, boundary: string): Record<string, any> {
  const out: Record<string, any> = {}
  const delimiter = Buffer.from(`--${boundary}`)
  let start = raw.indexOf(delimiter)
  while (start !== -1) {
    const partStart = start + delimiter.length
    const next = raw.indexOf(delimiter, partStart)
    if (next === -1) break
    const part = raw.subarray(partStart, next)
    const headerEnd = part.indexOf('\r\n\r\n')
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8')
      let content = part.subarray(headerEnd + 4)
      if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2)
      const name = /name="([^"]+)"/.exec(headers)?.[1]
      const fileName = /filename="?([^";\r\n]+)"?/.exec(headers)?.[1]
      if (name !== undefined) {
        const value = content.toString('utf8')
        if (fileName !== undefined) out[name] = { fileName, content: value }
        else {
          try {
            out[name] = value.startsWith('{') || value.startsWith('[') ? JSON.parse(value) : value
          } catch {
            out[name] = value
          }
        }
      }
    }
    start = next
  }
  return out
}
