/** Characters per token assumed before a model has answered once (errs towards more tokens). */
export const DEFAULT_CHARS_PER_TOKEN = 3.5
/** Overhead each chat message adds to the prompt (role markers, separators). */
export const MESSAGE_OVERHEAD_TOKENS = 4
/** Characters per token outside this range are not believed (cache hits, bad counts). */
export const MIN_PLAUSIBLE_RATIO = 1.5
export const MAX_PLAUSIBLE_RATIO = 6
/** Prompts that may have used this share of `num_ctx` may have been truncated by Ollama. */
const TRUNCATION_MARGIN = 0.9

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
   * out as `promptTokens` prompt tokens (Ollama's `prompt_eval_count`). Only plausible samples
   * count (1.5-6 characters per token): a count shrunk by the prompt cache (some Ollama
   * versions report only newly evaluated tokens) or a nonsense value is ignored. Samples whose
   * estimate came near `numCtx` are ignored too: Ollama may have dropped messages to fit, so
   * the count no longer matches the characters sent. Returns whether the sample was used.
   */
  observe(
    model: string,
    contentChars: number,
    promptTokens: number,
    messages = 0,
    numCtx?: number,
  ): boolean {
    const contentTokens = promptTokens - messages * MESSAGE_OVERHEAD_TOKENS
    if (!(contentTokens > 0) || !(contentChars > 0)) return false
    if (numCtx !== undefined && numCtx > 0) {
      const expected = messages * MESSAGE_OVERHEAD_TOKENS + contentChars / this.ratio(model)
      const mayBeTruncated =
        promptTokens >= numCtx * TRUNCATION_MARGIN || expected >= numCtx * TRUNCATION_MARGIN
      if (mayBeTruncated) return false
    }
    const observed = contentChars / contentTokens
    if (observed < MIN_PLAUSIBLE_RATIO || observed > MAX_PLAUSIBLE_RATIO) return false
    const previous = this.#ratios.get(model)
    this.#ratios.set(
      model,
      previous === undefined ? observed : previous + this.#alpha * (observed - previous),
    )
    return true
  }
}
