import { type ChatRequest, Ollama, type Options } from 'ollama'
import { AppError } from '../core/errors.js'
import type {
  LlmChatRequest,
  LlmClient,
  LlmEvent,
  LlmHostHealth,
  ModelInfo,
} from '../core/ports/llm.js'
import {
  isConnectionFailure,
  LlmTimeoutError,
  OllamaConnectionError,
  OllamaResponseError,
  OllamaStreamError,
  responseMessage,
  responseStatus,
} from './errors.js'
import { llmEventStream } from './llm-event-stream.js'
import { contextLengthOf, withSignal } from './ollama-wire.js'
import { redactHost } from './redact-host.js'

export interface OllamaClientOptions {
  /** Base URL of one Ollama server, e.g. `http://127.0.0.1:11434`. */
  readonly host: string
  readonly firstTokenTimeoutMs: number
  readonly idleTimeoutMs: number
  readonly totalTimeoutMs: number
  /** When the first token is this late, a `loading` event tells the user a model is loading. */
  readonly loadingNoticeMs?: number | undefined
  /** Limit for the small JSON calls (tags, ps, show, version). */
  readonly requestTimeoutMs?: number | undefined
  /** Tests and benches may swap the transport. */
  readonly fetch?: typeof fetch | undefined
}

export interface PullProgress {
  readonly status: string
  readonly completed?: number | undefined
  readonly total?: number | undefined
}

const STREAM_ENDED_EARLY = 'Did not receive done or success response in stream.'

/**
 * Talks to one Ollama server with the official `ollama` package. `chat` always streams, sends
 * `think: false` unless asked otherwise, enforces the first-token, idle and total limits and
 * aborts the HTTP request on cancel or timeout. Failures are thrown as `AppError`s:
 * `OllamaConnectionError`, `OllamaResponseError`, `OllamaStreamError`, `LlmTimeoutError`,
 * or `CANCELLED`. No queueing, retries or caching here: the wrappers add those.
 */
export class OllamaClient implements LlmClient {
  /** The base URL as configured (may carry credentials: never log it). */
  readonly host: string
  /** The base URL without credentials, used in events, errors and logs. */
  readonly name: string
  readonly #options: OllamaClientOptions
  readonly #fetch: typeof fetch
  readonly #api: Ollama

  constructor(options: OllamaClientOptions) {
    this.host = options.host
    this.name = redactHost(options.host)
    this.#options = options
    this.#fetch = options.fetch ?? fetch
    const timeoutMs = options.requestTimeoutMs ?? 10_000
    this.#api = new Ollama({
      host: options.host,
      fetch: (input, init) =>
        this.#fetch(input, { ...init, signal: withSignal(init, AbortSignal.timeout(timeoutMs)) }),
    })
  }

  chat(request: LlmChatRequest): AsyncIterable<LlmEvent> {
    return llmEventStream(request.signal, (signal, emit) =>
      this.generate({ ...request, signal }, emit),
    )
  }

  /**
   * `chat` as callbacks, for wrappers that forward events without another async hop:
   * resolves after `done`, rejects with the same errors `chat` throws.
   */
  async generate(request: LlmChatRequest, emit: (event: LlmEvent) => void): Promise<void> {
    const controller = new AbortController()
    const { model } = request
    const opts = this.#options
    let reason: AppError | null = null
    const stop = (err: AppError) => {
      if (controller.signal.aborted) return
      reason = err
      controller.abort(err)
    }
    const onCancel = () => stop(new AppError('CANCELLED', 'generation cancelled', { model }))
    request.signal?.addEventListener('abort', onCancel, { once: true })
    if (request.signal?.aborted) onCancel()

    const timeout = (phase: 'first_token' | 'idle' | 'total', ms: number) =>
      setTimeout(() => stop(new LlmTimeoutError(this.name, model, phase, ms)), ms)
    const firstTokenTimer = timeout('first_token', opts.firstTokenTimeoutMs)
    const totalTimer = timeout('total', opts.totalTimeoutMs)
    const loadingTimer = setTimeout(() => emit({ type: 'loading' }), opts.loadingNoticeMs ?? 5000)
    let idleTimer: NodeJS.Timeout | undefined
    // A client per generation: its abort and bookkeeping stay independent of the others.
    const client = new Ollama({
      host: this.host,
      fetch: (input, init) =>
        this.#fetch(input, { ...init, signal: withSignal(init, controller.signal) }),
    })
    try {
      const body: ChatRequest & { stream: true } = {
        model,
        messages: request.messages.map((m) =>
          m.images?.length
            ? { role: m.role, content: m.content, images: [...m.images] }
            : { role: m.role, content: m.content },
        ),
        stream: true,
        think: request.think ?? false,
      }
      if (request.options) body.options = request.options as Partial<Options>
      if (request.keepAlive !== undefined) body.keep_alive = request.keepAlive
      const stream = await client.chat(body)
      let text = ''
      let started = false
      for await (const part of stream) {
        if (!started) {
          started = true
          clearTimeout(firstTokenTimer)
          clearTimeout(loadingTimer)
          emit({ type: 'started', model, host: this.name })
          idleTimer = timeout('idle', opts.idleTimeoutMs)
        } else {
          idleTimer?.refresh()
        }
        const delta = part.message?.content ?? ''
        if (delta) {
          text += delta
          emit({ type: 'delta', text: delta })
        }
        if (part.done) {
          const evalNs = part.eval_duration ?? 0
          emit({
            type: 'done',
            text,
            model,
            host: this.name,
            fallbackUsed: false,
            promptTokens: part.prompt_eval_count ?? 0,
            completionTokens: part.eval_count ?? 0,
            totalDurationMs: (part.total_duration ?? 0) / 1e6,
            tokensPerSecond: evalNs > 0 ? ((part.eval_count ?? 0) / evalNs) * 1e9 : 0,
            cached: false,
          })
        }
      }
    } catch (err) {
      controller.abort()
      throw reason ?? this.#wrap(err, model)
    } finally {
      clearTimeout(firstTokenTimer)
      clearTimeout(totalTimer)
      clearTimeout(loadingTimer)
      clearTimeout(idleTimer)
      request.signal?.removeEventListener('abort', onCancel)
    }
  }

  /** Names of the installed models (`/api/tags`). */
  async listModels(): Promise<string[]> {
    const res = await this.#call('', () => this.#api.list())
    return res.models.map((m) => m.name)
  }

  /** Installed models with their size in bytes (`/api/tags`). */
  async installedModels(): Promise<{ name: string; size: number }[]> {
    const res = await this.#call('', () => this.#api.list())
    return res.models.map((m) => ({ name: m.name, size: m.size }))
  }

  /** Names of the models in memory (`/api/ps`). */
  async loadedModels(): Promise<string[]> {
    const res = await this.#call('', () => this.#api.ps())
    return res.models.map((m) => m.name)
  }

  async modelInfo(model: string): Promise<ModelInfo> {
    const res = await this.#call(model, () => this.#api.show({ model }))
    const capabilities = (res as { capabilities?: unknown }).capabilities
    return {
      contextLength: contextLengthOf(res.model_info as unknown),
      capabilities: Array.isArray(capabilities) ? capabilities.map(String) : null,
    }
  }

  async version(): Promise<string> {
    const res = await this.#call('', () => this.#api.version())
    return res.version
  }

  async health(): Promise<readonly LlmHostHealth[]> {
    try {
      const version = await this.version()
      return [{ host: this.name, status: 'up', detail: `ollama ${version}` }]
    } catch (err) {
      return [{ host: this.name, status: 'down', detail: (err as Error).message }]
    }
  }

  /** Loads `model` into memory with an empty request (`done_reason: "load"`). */
  async preload(model: string, keepAlive: string | number, signal: AbortSignal): Promise<void> {
    const client = this.#clientWith(signal)
    await this.#call(model, () => client.generate({ model, prompt: '', keep_alive: keepAlive }))
  }

  /** Pulls `model`, reporting each progress line; resolves when Ollama says `success`. */
  async pull(
    model: string,
    onProgress: (progress: PullProgress) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const client = this.#clientWith(signal)
    await this.#call(model, async () => {
      for await (const p of await client.pull({ model, stream: true })) {
        onProgress({ status: p.status, completed: p.completed, total: p.total })
      }
    })
  }

  #clientWith(signal: AbortSignal): Ollama {
    return new Ollama({
      host: this.host,
      fetch: (input, init) => this.#fetch(input, { ...init, signal: withSignal(init, signal) }),
    })
  }

  async #call<T>(model: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw this.#wrap(err, model)
    }
  }

  #wrap(err: unknown, model: string): AppError {
    if (err instanceof AppError) return err
    const status = responseStatus(err)
    if (status !== undefined) {
      return new OllamaResponseError(this.name, model, status, responseMessage(err), {
        cause: err,
      })
    }
    if (err instanceof Error && err.name === 'AbortError') {
      return new AppError('CANCELLED', 'request cancelled', { model }, { cause: err })
    }
    if (isConnectionFailure(err) || (err instanceof Error && err.message === STREAM_ENDED_EARLY)) {
      return new OllamaConnectionError(this.name, model, { cause: err })
    }
    return new OllamaStreamError(this.name, model, responseMessage(err), { cause: err })
  }
}
