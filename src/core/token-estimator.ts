/** Characters per token assumed before a model has answered once (errs towards more tokens). */
export const DEFAULT_CHARS_PER_TOKEN = 3.5
/** Overhead each chat message adds to the prompt (role markers, separators). */
export const MESSAGE_OVERHEAD_TOKENS = 4

export interface TokenEstimatorOptions {
  /** Starting chars/token ratio for models not seen yet. */
  readonly initialRatio?: number
  /** Weight of a new observation in the moving average (0-1). */
  readonly alpha?: number
}

/**
 * Estimates token counts as characters / ratio, with the ratio calibrated per model from the
 * prompt token counts Ollama reports (an exponential moving average kept in memory).
 */
export class TokenEstimator {
  readonly #ratios = new Map<string, number>()
  readonly #initial: number
  readonly #alpha: number

  constructor(options: TokenEstimatorOptions = {}) {
    this.#initial = options.initialRatio ?? DEFAULT_CHARS_PER_TOKEN
    this.#alpha = options.alpha ?? 0.3
  }

  /** Current chars/token ratio of a model. */
  ratio(model: string): number {
    return this.#ratios.get(model) ?? this.#initial
  }

  /** Estimated tokens of `text` for `model`; never below 1 for non-empty text. */
  estimate(model: string, text: string): number {
    if (text.length === 0) return 0
    return Math.ceil(text.length / this.ratio(model))
  }

  /** A bound estimator for one model (what the context builder takes). */
  forModel(model: string): (text: string) => number {
    const ratio = this.ratio(model)
    return (text) => (text.length === 0 ? 0 : Math.ceil(text.length / ratio))
  }

  /**
   * Feeds one observation: `messages` chat messages holding `contentChars` characters came
   * out as `promptTokens` prompt tokens (Ollama's `prompt_eval_count`). Ignores nonsense.
   */
  observe(model: string, contentChars: number, promptTokens: number, messages = 0): void {
    const contentTokens = promptTokens - messages * MESSAGE_OVERHEAD_TOKENS
    if (!(contentTokens > 0) || !(contentChars > 0)) return
    const observed = Math.min(12, Math.max(1, contentChars / contentTokens))
    const previous = this.#ratios.get(model)
    this.#ratios.set(
      model,
      previous === undefined ? observed : previous + this.#alpha * (observed - previous),
    )
  }
}
