import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { pathToFileURL } from 'node:url'

/**
 * An Ollama-compatible HTTP server for tests and benchmarks: speaks the documented REST API
 * (`/api/chat`, `/api/generate`, `/api/tags`, `/api/ps`, `/api/show`, `/api/embed`,
 * `/api/version`, `/api/pull`) on 127.0.0.1 so the real `ollama` package runs against it.
 * Every knob can be changed at runtime with `set()`.
 *
 * Run as a program it serves until SIGTERM/SIGINT and prints `{"url": ...}` once listening,
 * e.g. a stand-in Ollama for trying the bots locally or a separate process for benchmarks:
 * `node --import tsx tests/doubles/ollama-double.ts '{"replyTokens":20}' [port]`.
 */

/** A scripted failure for `/api/chat`, `/api/generate` (non-load) and `/api/embed`. */
export type OllamaFailure =
  /** Answers with this HTTP status and `{"error": message}` before any byte of the stream. */
  | { readonly type: 'status'; readonly status: number; readonly message?: string }
  /** Accepts the request and never answers. */
  | { readonly type: 'hang' }
  /** Sends `afterTokens` tokens, then an `{"error": message}` line, then ends the stream. */
  | { readonly type: 'error-line'; readonly afterTokens: number; readonly message?: string }
  /** Sends `afterTokens` tokens, then destroys the socket (no `done` chunk). */
  | { readonly type: 'destroy'; readonly afterTokens: number }

/** Whatever the reply function returns: the whole text (split into word tokens) or the tokens. */
export type ReplyFunction = (request: DoubleChatRequest) => string | readonly string[]

export interface DoubleChatRequest {
  readonly model: string
  readonly messages: readonly { role: string; content: string; images?: readonly string[] }[]
  readonly options?: Record<string, unknown> | undefined
  readonly think?: unknown
  readonly keep_alive?: unknown
  readonly stream?: boolean | undefined
}

export interface OllamaDoubleKnobs {
  /** Installed models (`/api/tags`); names without a tag mean `:latest`. */
  models: readonly string[]
  /** Models currently in memory (`/api/ps`); requests to others wait `loadDelayMs` first. */
  loaded: readonly string[]
  /** Extra wait before the first token when the model is not loaded yet. */
  loadDelayMs: number
  /** Wait between receiving a generation and sending its first token. */
  firstTokenDelayMs: number
  /** Wait between tokens (0 = send them all at once). */
  tokenIntervalMs: number
  /** Number of tokens of the default reply (`token0 token1 ...`). */
  replyTokens: number
  /** Scripted reply; overrides `replyTokens`. */
  reply: ReplyFunction | null
  /** `model_info["<arch>.context_length"]` in `/api/show` and `context_length` in `/api/ps`. */
  contextLength: number
  /** Reported by `/api/version`. */
  version: string
  /** Failure applied to every generation, or null. */
  failure: OllamaFailure | null
  /** How many upcoming generations `failure` applies to (null = all of them). */
  failureCount: number | null
  /** Embedding vector length. */
  embeddingDimensions: number
  /** While true, generations wait before their first token (set false to let them go). */
  paused: boolean
  /**
   * Generations answered at once, like `OLLAMA_NUM_PARALLEL` (0 = no limit): the others wait
   * inside the server for a slot, after the model is loaded and before prompt evaluation.
   */
  parallel: number
  /** Generations allowed to wait for a slot before `503 server busy` (`OLLAMA_MAX_QUEUE`). */
  maxQueue: number
  /** Context length used when a request sets no `options.num_ctx` (`OLLAMA_CONTEXT_LENGTH`). */
  defaultNumCtx: number
  /** Models whose `/api/show` capabilities include `vision`; only they accept `images`. */
  vision: readonly string[]
}

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  /** Parsed JSON body (undefined for GET). */
  readonly body: unknown
  /** True once the client closed the connection before the response was complete. */
  aborted: boolean
  /** True once the response was complete. */
  finished: boolean
}

export interface OllamaDouble {
  readonly url: string
  readonly port: number
  /** Every request received, in order. */
  readonly requests: RecordedRequest[]
  /** Changes knobs; takes effect for the next request (token timing also for running ones). */
  set(knobs: Partial<OllamaDoubleKnobs>): void
  readonly knobs: Readonly<OllamaDoubleKnobs>
  /** Generations currently being answered (including paused and hanging ones). */
  readonly active: number
  /** Generations holding one of the `parallel` slots. */
  readonly running: number
  /** Generations waiting inside the double for a slot. */
  readonly waiting: number
  /** Most generations that ever held a slot at once. */
  readonly peakRunning: number
  /** Requests to `path` (e.g. `/api/chat`), optionally only those for `model`. */
  requestsTo(path: string, model?: string): RecordedRequest[]
  /** Stops listening and destroys open connections: clients then get "connection refused". */
  stop(): Promise<void>
  /** Listens again on the same port after `stop()`. */
  start(): Promise<void>
  /** Stops for good. */
  close(): Promise<void>
}

const DEFAULT_KNOBS: OllamaDoubleKnobs = {
  models: ['llama3.2'],
  loaded: [],
  loadDelayMs: 0,
  firstTokenDelayMs: 0,
  tokenIntervalMs: 0,
  replyTokens: 5,
  reply: null,
  contextLength: 4096,
  version: '0.12.0',
  failure: null,
  failureCount: null,
  embeddingDimensions: 8,
  paused: false,
  parallel: 0,
  maxQueue: 512,
  defaultNumCtx: 4096,
  vision: [],
}

const withTag = (name: string): string => (name.includes(':') ? name : `${name}:latest`)
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Starts a double on 127.0.0.1 with a free port. */
export async function startOllamaDouble(
  knobs: Partial<OllamaDoubleKnobs> = {},
  options: { port?: number } = {},
): Promise<OllamaDouble> {
  const state: OllamaDoubleKnobs = { ...DEFAULT_KNOBS, ...knobs }
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  let active = 0
  let port = options.port ?? 0
  let resumers: (() => void)[] = []
  const whilePaused = async () => {
    while (state.paused) await new Promise<void>((resolve) => resumers.push(resolve))
  }
  const slots = new ParallelSlots(() => state.parallel)

  const canSee = (model: string) => state.vision.some((m) => withTag(m) === withTag(model))
  const installed = (model: string) => state.models.some((m) => withTag(m) === withTag(model))
  const isLoaded = (model: string) => state.loaded.some((m) => withTag(m) === withTag(model))
  const markLoaded = (model: string) => {
    if (!isLoaded(model)) state.loaded = [...state.loaded, model]
  }
  const takeFailure = (): OllamaFailure | null => {
    if (!state.failure) return null
    const failure = state.failure
    if (state.failureCount !== null) {
      state.failureCount -= 1
      if (state.failureCount <= 0) {
        state.failure = null
        state.failureCount = null
      }
    }
    return failure
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res)
  })
  server.keepAliveTimeout = 1000
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const raw = await readBody(req)
    let body: unknown
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw)
      } catch {
        return sendJson(res, 400, { error: 'invalid character in JSON body' })
      }
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      body,
      aborted: false,
      finished: false,
    }
    requests.push(record)
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true
    })
    res.on('finish', () => {
      record.finished = true
    })
    const b = (body ?? {}) as Record<string, unknown>
    switch (`${req.method} ${path}`) {
      case 'GET /':
      case 'HEAD /':
        res.writeHead(200, { 'content-type': 'text/plain' })
        return void res.end('Ollama is running')
      case 'GET /api/version':
        return sendJson(res, 200, { version: state.version })
      case 'GET /api/tags':
        return sendJson(res, 200, { models: state.models.map((m) => modelEntry(m)) })
      case 'GET /api/ps':
        return sendJson(res, 200, {
          models: state.loaded.map((m) => ({
            ...modelEntry(m),
            expires_at: new Date(Date.now() + 300_000).toISOString(),
            size_vram: 1_000_000,
            context_length: state.contextLength,
          })),
        })
      case 'POST /api/show':
        return show(res, String(b.model ?? ''))
      case 'POST /api/embed':
        return embed(res, b)
      case 'POST /api/pull':
        return pull(res, String(b.model ?? b.name ?? ''), b.stream !== false)
      case 'POST /api/chat':
        return generate(res, b, 'chat')
      case 'POST /api/generate':
        return generate(res, b, 'generate')
      default:
        return sendJson(res, 404, { error: `${req.method} ${path} not found` })
    }
  }

  function modelEntry(name: string) {
    const full = withTag(name)
    return {
      name: full,
      model: full,
      modified_at: '2026-11-01T00:00:00Z',
      size: 2_000_000_000,
      digest: createHash('sha256').update(full).digest('hex'),
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '3.2B',
        quantization_level: 'Q4_K_M',
      },
    }
  }

  function show(res: ServerResponse, model: string) {
    if (!installed(model)) return sendJson(res, 404, { error: `model '${model}' not found` })
    return sendJson(res, 200, {
      modelfile: `FROM ${model}`,
      parameters: '',
      template: '{{ .Prompt }}',
      details: modelEntry(model).details,
      model_info: {
        'general.architecture': 'llama',
        'llama.context_length': state.contextLength,
        'llama.embedding_length': 3072,
      },
      capabilities: canSee(model) ? ['completion', 'vision'] : ['completion'],
      modified_at: '2026-11-01T00:00:00Z',
    })
  }

  function embed(res: ServerResponse, b: Record<string, unknown>) {
    const model = String(b.model ?? '')
    if (!installed(model)) return sendJson(res, 404, { error: `model '${model}' not found` })
    const failure = takeFailure()
    if (failure?.type === 'status') {
      return sendJson(res, failure.status, { error: failure.message ?? 'internal error' })
    }
    const input = Array.isArray(b.input) ? b.input.map(String) : [String(b.input ?? '')]
    const embeddings = input.map((text) => vectorFor(text, state.embeddingDimensions))
    return sendJson(res, 200, {
      model,
      embeddings,
      total_duration: 1000,
      load_duration: 0,
      prompt_eval_count: input.length,
    })
  }

  async function pull(res: ServerResponse, model: string, stream: boolean) {
    const steps = [
      { status: 'pulling manifest' },
      { status: `pulling ${model}`, digest: 'sha256:abc', total: 100, completed: 50 },
      { status: `pulling ${model}`, digest: 'sha256:abc', total: 100, completed: 100 },
      { status: 'verifying sha256 digest' },
      { status: 'writing manifest' },
      { status: 'success' },
    ]
    if (!installed(model)) state.models = [...state.models, model]
    if (!stream) return sendJson(res, 200, { status: 'success' })
    res.writeHead(200, { 'content-type': 'application/x-ndjson' })
    for (const step of steps) {
      if (res.destroyed) return
      res.write(`${JSON.stringify(step)}\n`)
      await sleep(1)
    }
    res.end()
  }

  async function generate(
    res: ServerResponse,
    b: Record<string, unknown>,
    kind: 'chat' | 'generate',
  ) {
    const model = String(b.model ?? '')
    if (!model) return sendJson(res, 400, { error: 'model is required' })
    if (!installed(model)) return sendJson(res, 404, { error: `model '${model}' not found` })
    const messages = Array.isArray(b.messages) ? (b.messages as DoubleChatRequest['messages']) : []
    const images = messages.flatMap((m) => (Array.isArray(m.images) ? m.images : []))
    if (images.some((i) => typeof i !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(i))) {
      return sendJson(res, 400, { error: 'illegal base64 data in images' })
    }
    if (images.length > 0 && !canSee(model)) {
      return sendJson(res, 500, { error: 'this model is missing data required for image input' })
    }
    const isLoad = kind === 'chat' ? messages.length === 0 : !b.prompt
    if (isLoad && b.keep_alive === 0) {
      state.loaded = state.loaded.filter((m) => withTag(m) !== withTag(model))
      return sendJson(res, 200, finalChunk(model, kind, '', 'unload', 0, 0, 0))
    }
    if (isLoad) {
      if (!isLoaded(model)) await sleep(state.loadDelayMs)
      markLoaded(model)
      return sendJson(res, 200, finalChunk(model, kind, '', 'load', 0, 0, 0))
    }
    const failure = takeFailure()
    if (failure?.type === 'status') {
      return sendJson(res, failure.status, {
        error: failure.message ?? statusMessage(failure.status),
      })
    }
    if (slots.waiting >= state.maxQueue && slots.full) {
      return sendJson(res, 503, { error: statusMessage(503) })
    }
    active += 1
    let slot: (() => void) | undefined
    res.on('close', () => {
      active -= 1
      slot?.()
    })
    if (failure?.type === 'hang') return
    const started = process.hrtime.bigint()
    if (!isLoaded(model)) await sleep(state.loadDelayMs)
    markLoaded(model)
    // Like Ollama's runner semaphore: beyond `parallel`, generations wait here.
    const release = await slots.acquire(() => res.destroyed)
    if (res.destroyed) return release()
    slot = release
    await whilePaused()
    if (res.destroyed) return
    if (state.firstTokenDelayMs > 0) await sleep(state.firstTokenDelayMs)
    if (res.destroyed) return
    const numCtx = Number((b.options as { num_ctx?: unknown } | undefined)?.num_ctx)
    const sent = kind === 'chat' ? messages : [{ role: 'user', content: String(b.prompt ?? '') }]
    const prompt = truncateToContext(sent, numCtx > 0 ? numCtx : state.defaultNumCtx)
    const request: DoubleChatRequest = {
      model,
      messages: prompt.messages,
      options: b.options as Record<string, unknown> | undefined,
      think: b.think,
      keep_alive: b.keep_alive,
      stream: b.stream as boolean | undefined,
    }
    const tokens = replyTokens(request)
    const promptTokens = prompt.tokens
    if (b.stream === false) {
      const text = tokens.join('')
      const elapsed = Number(process.hrtime.bigint() - started)
      return sendJson(res, 200, {
        ...finalChunk(model, kind, text, 'stop', promptTokens, tokens.length, elapsed),
      })
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' })
    const evalStart = process.hrtime.bigint()
    for (const [i, token] of tokens.entries()) {
      if (failure?.type === 'error-line' && i === failure.afterTokens) {
        res.end(`${JSON.stringify({ error: failure.message ?? 'model runner has crashed' })}\n`)
        return
      }
      if (failure?.type === 'destroy' && i === failure.afterTokens) {
        await destroyAfterFlush(res)
        return
      }
      if (i > 0 && state.tokenIntervalMs > 0) await sleep(state.tokenIntervalMs)
      if (res.destroyed) return
      res.write(`${JSON.stringify(chunk(model, kind, token))}\n`)
    }
    if (failure?.type === 'error-line') {
      res.end(`${JSON.stringify({ error: failure.message ?? 'model runner has crashed' })}\n`)
      return
    }
    if (failure?.type === 'destroy') {
      await destroyAfterFlush(res)
      return
    }
    const now = process.hrtime.bigint()
    const last = finalChunk(
      model,
      kind,
      '',
      'stop',
      promptTokens,
      tokens.length,
      Number(now - started),
      Math.max(1, Number(now - evalStart)),
    )
    res.end(`${JSON.stringify(last)}\n`)
  }

  function replyTokens(request: DoubleChatRequest): readonly string[] {
    if (state.reply) {
      const out = state.reply(request)
      if (typeof out !== 'string') return out
      return out.match(/\S+\s*|\s+/g) ?? []
    }
    return Array.from({ length: state.replyTokens }, (_, i) =>
      i === state.replyTokens - 1 ? `token${i}` : `token${i} `,
    )
  }

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        port = (server.address() as AddressInfo).port
        resolve()
      })
    })
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve()
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })

  await listen()

  return {
    get url() {
      return `http://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    requests,
    get knobs() {
      return state
    },
    get active() {
      return active
    },
    get running() {
      return slots.running
    },
    get waiting() {
      return slots.waiting
    },
    get peakRunning() {
      return slots.peak
    },
    set(next) {
      Object.assign(state, next)
      slots.wake()
      if (!state.paused) {
        for (const resume of resumers) resume()
        resumers = []
      }
    },
    requestsTo(path, model) {
      return requests.filter(
        (r) =>
          r.path === path &&
          (model === undefined ||
            withTag(String((r.body as { model?: unknown } | undefined)?.model ?? '')) ===
              withTag(model)),
      )
    },
    stop: stopListening,
    start: listen,
    async close() {
      state.paused = false
      for (const resume of resumers) resume()
      resumers = []
      await stopListening()
    },
  }
}

/** Prompt tokens the double counts for a message: about 4 characters each, plus framing. */
export function doubleMessageTokens(content: string): number {
  return Math.ceil(content.length / 4) + 4
}

/**
 * What Ollama does with a chat prompt longer than `num_ctx`: drops the oldest messages, always
 * keeping system messages and the last one. `tokens` is what `prompt_eval_count` reports.
 */
export function truncateToContext(
  messages: readonly { role: string; content: string }[],
  numCtx: number,
): { messages: { role: string; content: string }[]; tokens: number } {
  const kept = [...messages]
  const count = () => kept.reduce((n, m) => n + doubleMessageTokens(m.content), 1)
  let tokens = count()
  while (tokens > numCtx) {
    const oldest = kept.findIndex((m, i) => m.role !== 'system' && i < kept.length - 1)
    if (oldest < 0) break
    kept.splice(oldest, 1)
    tokens = count()
  }
  return { messages: kept, tokens: Math.min(tokens, numCtx) }
}

/** A counting semaphore whose size is read on every change (the knob may move at runtime). */
class ParallelSlots {
  readonly #limit: () => number
  readonly #queue: (() => void)[] = []
  running = 0
  peak = 0

  constructor(limit: () => number) {
    this.#limit = limit
  }

  get waiting(): number {
    return this.#queue.length
  }

  get full(): boolean {
    const limit = this.#limit()
    return limit > 0 && this.running >= limit
  }

  /** Resolves with a release function once a slot is free (or the caller gave up). */
  acquire(gaveUp: () => boolean): Promise<() => void> {
    return new Promise((resolve) => {
      const take = () => {
        if (gaveUp()) return resolve(() => {})
        this.running += 1
        this.peak = Math.max(this.peak, this.running)
        let released = false
        resolve(() => {
          if (released) return
          released = true
          this.running -= 1
          this.wake()
        })
      }
      if (!this.full && this.#queue.length === 0) take()
      else this.#queue.push(take)
    })
  }

  wake(): void {
    while (this.#queue.length > 0 && !this.full) this.#queue.shift()?.()
  }
}

function chunk(model: string, kind: 'chat' | 'generate', text: string) {
  const base = { model, created_at: new Date().toISOString(), done: false }
  return kind === 'chat'
    ? { ...base, message: { role: 'assistant', content: text } }
    : { ...base, response: text }
}

function finalChunk(
  model: string,
  kind: 'chat' | 'generate',
  text: string,
  doneReason: string,
  promptTokens: number,
  evalCount: number,
  totalNs: number,
  evalNs = totalNs,
) {
  const base = {
    model,
    created_at: new Date().toISOString(),
    done: true,
    done_reason: doneReason,
    total_duration: totalNs,
    load_duration: 0,
    prompt_eval_count: promptTokens,
    prompt_eval_duration: 1000,
    eval_count: evalCount,
    eval_duration: evalNs,
  }
  return kind === 'chat'
    ? { ...base, message: { role: 'assistant', content: text } }
    : { ...base, response: text }
}

/** Lets the tokens already written reach the client, then kills the connection. */
async function destroyAfterFlush(res: ServerResponse): Promise<void> {
  await sleep(20)
  res.socket?.destroy()
}

function statusMessage(status: number): string {
  if (status === 503) return 'server busy, please try again.  maximum pending requests exceeded'
  return 'llama runner process has terminated: exit status 2'
}

function vectorFor(text: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(text).digest()
  return Array.from(
    { length: dimensions },
    (_, i) => ((digest[i % digest.length] ?? 0) - 128) / 128,
  )
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return
  const json = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(json)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(''))
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const knobs = JSON.parse(process.argv[2] ?? '{}') as Partial<OllamaDoubleKnobs>
  const double = await startOllamaDouble(knobs, { port: Number(process.argv[3] ?? 0) })
  process.stdout.write(`${JSON.stringify({ url: double.url })}\n`)
  const shutdown = () => {
    void double.close().then(() => process.exit(0))
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}
