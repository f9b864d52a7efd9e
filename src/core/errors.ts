/**
 * The closed set of failures the core reports. Adapters translate a code into words
 * (`bots/shared/user-messages.ts`) and the HTTP server into a status; the core knows neither.
 */
export type AppErrorCode =
  | 'LLM_UNAVAILABLE'
  | 'LLM_LOADING'
  | 'LLM_BUSY'
  | 'LLM_TIMEOUT'
  | 'MODEL_MISSING'
  | 'CONTEXT_TOO_LARGE'
  | 'QUOTA_EXCEEDED'
  | 'PREMIUM_REQUIRED'
  | 'ADULT_NOT_ALLOWED'
  | 'INPUT_TOO_LONG'
  | 'PERSONA_NOT_FOUND'
  | 'NOT_ENABLED'
  | 'NOT_ALLOWED'
  | 'RATE_LIMITED'
  | 'CANCELLED'
  | 'INVALID_INPUT'
  | 'INTERNAL'

/** Values a user-facing message may interpolate (seconds to wait, a model name...). */
export type ErrorParams = Readonly<Record<string, string | number | undefined>>

export class AppError extends Error {
  readonly code: AppErrorCode
  readonly params: ErrorParams
  constructor(
    code: AppErrorCode,
    message: string,
    params: ErrorParams = {},
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'AppError'
    this.code = code
    this.params = params
  }
}

/** The model server could not be reached (connection refused, reset, DNS...). */
export class LlmUnavailableError extends AppError {
  constructor(message: string, params: ErrorParams = {}, options?: ErrorOptions) {
    super('LLM_UNAVAILABLE', message, params, options)
    this.name = 'LlmUnavailableError'
  }
}

/** Turns anything thrown into an AppError; unknown failures become `INTERNAL`. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  if (err instanceof Error && err.name === 'AbortError') {
    return new AppError('CANCELLED', 'cancelled', {}, { cause: err })
  }
  return new AppError(
    'INTERNAL',
    err instanceof Error ? err.message : String(err),
    {},
    { cause: err },
  )
}
