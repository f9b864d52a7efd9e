import { AppError, type AppErrorCode, LlmUnavailableError } from '../core/errors.js'

/** What went wrong, for logs, metrics (`kind` label) and the retry decision. */
export type LlmErrorKind =
  | 'connection'
  | 'server_error'
  | 'busy'
  | 'model_missing'
  | 'bad_request'
  | 'stream_error'
  | 'first_token_timeout'
  | 'idle_timeout'
  | 'total_timeout'
  | 'cancelled'
  | 'queue_full'
  | 'internal'

/** Ollama could not be reached or the connection broke (refused, reset, DNS, socket closed). */
export class OllamaConnectionError extends LlmUnavailableError {
  readonly host: string
  constructor(host: string, model: string, options?: ErrorOptions) {
    super(`cannot reach Ollama at ${host}`, { model }, options)
    this.name = 'OllamaConnectionError'
    this.host = host
  }
}

function codeForStatus(status: number, message: string): AppErrorCode {
  if (status === 404 && /not found/i.test(message)) return 'MODEL_MISSING'
  if (status === 503 || status === 429) return 'LLM_BUSY'
  if (status >= 500) return 'LLM_UNAVAILABLE'
  return 'INTERNAL'
}

/** Ollama answered with a non-2xx status (a 404 means the model is not installed). */
export class OllamaResponseError extends AppError {
  readonly status: number
  readonly host: string
  constructor(
    host: string,
    model: string,
    status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(codeForStatus(status, message), `Ollama ${status}: ${message}`, { model }, options)
    this.name = 'OllamaResponseError'
    this.status = status
    this.host = host
  }
}

/** Ollama sent an `{"error": ...}` line inside a 200 stream. */
export class OllamaStreamError extends AppError {
  readonly host: string
  constructor(host: string, model: string, message: string, options?: ErrorOptions) {
    super('LLM_UNAVAILABLE', `Ollama stream error: ${message}`, { model }, options)
    this.name = 'OllamaStreamError'
    this.host = host
  }
}

export type TimeoutPhase = 'first_token' | 'idle' | 'total'

/** A generation ran past one of its time limits; the HTTP request was aborted. */
export class LlmTimeoutError extends AppError {
  readonly host: string
  readonly phase: TimeoutPhase
  /** `whileLoading`: the model was not in memory, so users hear "still loading" (`LLM_LOADING`). */
  constructor(
    host: string,
    model: string,
    phase: TimeoutPhase,
    limitMs: number,
    options: ErrorOptions & { whileLoading?: boolean } = {},
  ) {
    super(
      options.whileLoading ? 'LLM_LOADING' : 'LLM_TIMEOUT',
      `no ${phase.replace('_', ' ')} within ${limitMs} ms`,
      { model, seconds: Math.round(limitMs / 1000) },
      options,
    )
    this.name = 'LlmTimeoutError'
    this.host = host
    this.phase = phase
  }
}

export function errorKind(err: unknown): LlmErrorKind {
  if (err instanceof OllamaConnectionError) return 'connection'
  if (err instanceof OllamaStreamError) return 'stream_error'
  if (err instanceof LlmTimeoutError) return `${err.phase}_timeout`
  if (err instanceof OllamaResponseError) {
    if (err.code === 'MODEL_MISSING') return 'model_missing'
    if (err.code === 'LLM_BUSY') return 'busy'
    return err.status >= 500 ? 'server_error' : 'bad_request'
  }
  if (err instanceof AppError) {
    if (err.code === 'CANCELLED') return 'cancelled'
    if (err.code === 'LLM_BUSY') return 'queue_full'
    if (err.code === 'MODEL_MISSING') return 'model_missing'
    if (err.code === 'LLM_UNAVAILABLE') return 'connection'
  }
  return 'internal'
}

/** Failures worth another try (same or other host) as long as no token was delivered. */
export function isRetryable(err: unknown): boolean {
  const kind = errorKind(err)
  return (
    kind === 'connection' || kind === 'server_error' || kind === 'busy' || kind === 'stream_error'
  )
}

/** The host named by a gateway error, when it has one. */
export function hostOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'host' in err && typeof err.host === 'string'
    ? err.host
    : undefined
}

/** True for errors the `ollama` package or `fetch` raise when the connection fails. */
export function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  if (err.name === 'ResponseError' || err.name === 'AbortError') return false
  if (err.name === 'TimeoutError') return true
  if (err instanceof TypeError) return true // fetch failed / terminated (undici)
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && /^(ECONN|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR)/.test(code)
}

/** Ollama's `ResponseError` is not exported: duck-type it. */
export function responseStatus(err: unknown): number | undefined {
  if (err instanceof Error && err.name === 'ResponseError') {
    const status = (err as { status_code?: unknown }).status_code
    return typeof status === 'number' ? status : undefined
  }
  return undefined
}

/** `ResponseError.error` carries Ollama's `{"error": ...}` text. */
export function responseMessage(err: unknown): string {
  if (err instanceof Error) {
    const text = (err as { error?: unknown }).error
    return typeof text === 'string' ? text : err.message
  }
  return String(err)
}
