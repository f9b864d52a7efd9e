import type { Role, Tier } from '../types.js'

export interface ChatMessage {
  readonly role: Role
  readonly content: string
  /**
   * Pictures sent with this message to a model that can see: raw bytes, which the client
   * base64-encodes (never strings: the ollama package reads strings naming a file from disk).
   */
  readonly images?: readonly Uint8Array[] | undefined
}

/** Ollama `options` (num_ctx, temperature, top_p, repeat_penalty, seed...). */
export type ModelOptions = Readonly<Record<string, number | string | boolean | readonly string[]>>

export interface LlmChatRequest {
  readonly model: string
  /** Tried when `model` is missing (404) or all its hosts are down. */
  readonly fallbackModel?: string | undefined
  readonly messages: readonly ChatMessage[]
  readonly options?: ModelOptions | undefined
  /** Sent as Ollama's `think`; defaults to false. */
  readonly think?: boolean | undefined
  readonly keepAlive?: string | number | undefined
  /** Premium waits before free. */
  readonly tier: Tier
  /** Fairness key: one user's burst cannot starve others of the same tier. */
  readonly userKey: string
  readonly signal?: AbortSignal | undefined
}

/**
 * Events of one streamed generation, in order: any `queued`/`loading`, then `started`,
 * `delta`s and exactly one `done`. Failures are thrown from the iterator as `AppError`
 * (`LLM_UNAVAILABLE`, `LLM_BUSY` with `retryAfterSeconds`, `LLM_TIMEOUT`, `MODEL_MISSING`,
 * `CANCELLED`).
 */
export type LlmEvent =
  | { readonly type: 'queued'; readonly position: number }
  | { readonly type: 'loading' }
  | { readonly type: 'started'; readonly model: string; readonly host: string }
  | { readonly type: 'delta'; readonly text: string }
  | {
      readonly type: 'done'
      readonly text: string
      readonly model: string
      readonly host: string
      readonly fallbackUsed: boolean
      readonly promptTokens: number
      readonly completionTokens: number
      readonly totalDurationMs: number
      readonly tokensPerSecond: number
      readonly cached: boolean
    }

export interface ModelInfo {
  /** The model's context length from `/api/show`, when known. */
  readonly contextLength: number | null
  /** `capabilities` from `/api/show` (`completion`, `vision`, ...); null when unknown. */
  readonly capabilities?: readonly string[] | null | undefined
}

/** One model a host has installed, as `/model` lists it. */
export interface AvailableModel {
  readonly name: string
  readonly sizeBytes: number
  /** In memory on at least one host (`/api/ps`). */
  readonly loaded: boolean
  /** Its `/api/show` capabilities include `vision`. */
  readonly vision: boolean
}

export interface LlmHostHealth {
  readonly host: string
  readonly status: 'up' | 'down'
  readonly detail?: string | undefined
  /** Generations sent to the host at once, and whether that was learned or configured. */
  readonly concurrency?: { readonly limit: number; readonly mode: 'auto' | 'fixed' } | undefined
}

/**
 * Generates replies from language models. `chat` streams; the iterator throws `AppError`
 * on failure and never hangs past its timeouts. Aborting `signal` stops generation.
 */
export interface LlmClient {
  chat(request: LlmChatRequest): AsyncIterable<LlmEvent>
  modelInfo(model: string): Promise<ModelInfo>
  health(): Promise<readonly LlmHostHealth[]>
  /**
   * Drops whatever the client holds in memory for requests made with this `userKey` (cached
   * replies), for `/forget`; returns how many entries went. Clients that keep nothing may
   * leave it out.
   */
  forgetUser?(userKey: string): number
  /** The models the hosts have installed (reachable hosts only); absent when unknown. */
  availableModels?(): Promise<readonly AvailableModel[]>
}
