import type { Persona } from './persona.js'
import type { Clock } from './ports/clock.js'
import type { LlmClient } from './ports/llm.js'
import type { Logger } from './ports/logger.js'
import type { Tier } from './types.js'

export interface ModelLimitsDeps {
  readonly llm: LlmClient
  readonly log: Logger
  readonly now: Clock
}

export interface ModelLimitsOptions {
  readonly defaultModel: string
  readonly fallbackModel?: string | undefined
  readonly freeContextTokens: number
  readonly premiumContextTokens: number
  readonly replyReserveTokens?: number | undefined
}

/** Context length answers are reused this long. */
const MODEL_INFO_TTL_MS = 5 * 60_000
const DEFAULT_REPLY_RESERVE = 512

/** Which model answers for a persona and how much context and reply room it gets per tier. */
export class ModelLimits {
  readonly #deps: ModelLimitsDeps
  readonly #options: ModelLimitsOptions
  readonly #modelInfo = new Map<string, { contextLength: number | null; at: number }>()

  constructor(deps: ModelLimitsDeps, options: ModelLimitsOptions) {
    this.#deps = deps
    this.#options = options
  }

  /** The persona's model, else OLLAMA_MODEL. */
  modelFor(persona: Persona): string {
    return persona.model ?? this.#options.defaultModel
  }

  fallbackFor(persona: Persona): string | undefined {
    return persona.fallbackModel ?? this.#options.fallbackModel
  }

  /** Tokens kept free for the reply: configured, else the persona's num_predict, else 512; at most half the context. */
  replyReserve(persona: Persona, numCtx: number): number {
    return Math.min(
      this.#options.replyReserveTokens ??
        numberOption(persona, 'num_predict') ??
        DEFAULT_REPLY_RESERVE,
      Math.floor(numCtx / 2),
    )
  }

  async contextLength(model: string, persona: Persona, tier: Tier): Promise<number> {
    const cap =
      tier === 'premium' ? this.#options.premiumContextTokens : this.#options.freeContextTokens
    const fromPersona = numberOption(persona, 'num_ctx')
    if (fromPersona !== undefined) return Math.min(fromPersona, cap)
    const now = this.#deps.now()
    let cached = this.#modelInfo.get(model)
    if (!cached || now - cached.at > MODEL_INFO_TTL_MS) {
      try {
        const info = await this.#deps.llm.modelInfo(model)
        cached = { contextLength: info.contextLength, at: now }
        this.#modelInfo.set(model, cached)
      } catch (err) {
        this.#deps.log.debug({ err, model }, 'model info unavailable; using the tier cap')
        cached = { contextLength: null, at: now }
      }
    }
    return Math.min(cached.contextLength ?? cap, cap)
  }
}

function numberOption(persona: Persona, name: string): number | undefined {
  const v = persona.options[name]
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined
}
