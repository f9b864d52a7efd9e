import type { Speaker } from '../caller.js'
import { AppError } from '../errors.js'
import type { ModelChoice } from '../model-choice.js'
import type { Persona } from '../persona.js'
import type { Clock } from '../ports/clock.js'
import type { Logger } from '../ports/logger.js'
import type { Stores } from '../ports/stores.js'
import { formatDuration, msUntilUtcMidnight, utcDay } from '../quota.js'
import type { AttachmentSource, MediaOptions } from './attachment.js'
import { looksLikeImage } from './image-check.js'
import { prepareAttachments } from './prepare-attachments.js'

/** What a message with attachments turns into for one turn. */
export interface MediaTurn {
  /** Stored as the user turn: the typed text, a stand-in per picture, quoted text files. */
  readonly content: string
  /** Picture bytes sent with the turn (empty when no model here can see). */
  readonly images: readonly Uint8Array[]
  /** The model that answers (a vision model for pictures the persona's model cannot see). */
  readonly model: string
  /** Messages the turn counts against the daily quota. */
  readonly cost: number
  /** Said before the reply (the persona cannot see pictures): shown, never stored. */
  readonly notice?: string | undefined
}

export interface MediaTurnsDeps {
  readonly choice: ModelChoice
  readonly stores: Pick<Stores, 'usage'>
  readonly dailyLimit: (speaker: Speaker) => number | null
  readonly log: Logger
  readonly now: Clock
}

export const CANNOT_SEE = "I'm sorry, this persona can't see pictures, so I only read your words."

const CANNOT_SEE_ALONE =
  "I'm sorry, this persona can't see pictures. Tell me in words what you'd like to share."

/**
 * Turns a message's attachments into a turn: IMAGES_FOR, the picture cost against the daily
 * quota, the limits and downloads (`prepareAttachments`), then which model sees the pictures
 * (the chosen model if it can, else the persona's `vision_model`, else OLLAMA_VISION_MODEL,
 * else none: the text is answered with a kind notice).
 */
export class MediaTurns {
  readonly #deps: MediaTurnsDeps
  readonly #options: MediaOptions

  constructor(deps: MediaTurnsDeps, options: MediaOptions) {
    this.#deps = deps
    this.#options = options
  }

  async prepare(
    input: {
      readonly attachments: readonly AttachmentSource[]
      readonly text: string
      readonly persona: Persona
      readonly model: string
      readonly speaker: Speaker
    },
    signal: AbortSignal,
  ): Promise<MediaTurn> {
    const { attachments, text, persona, speaker } = input
    const options = this.#options
    const hasImages = attachments.some((a) => a.kind === 'photo' || looksLikeImage(a.name, a.mime))
    if (hasImages && options.imagesFor === 'premium' && speaker.tier !== 'premium') {
      throw new AppError('INVALID_INPUT', 'pictures are premium', {
        reason: 'Pictures are for premium members here. Run /subscribe to send them.',
      })
    }
    const cost = hasImages ? options.imageMessageCost : 1
    if (cost > 1) await this.#checkCost(speaker, cost)
    const media = await prepareAttachments(attachments, options, signal, this.#deps.log)
    const content = [text, ...media.parts].filter(Boolean).join('\n\n')
    if (media.images.length === 0) return { content, images: [], model: input.model, cost }
    const vision = await this.#deps.choice.visionModel(input.model, persona, options.visionModel)
    if (vision) return { content, images: media.images, model: vision, cost }
    if (!text) {
      throw new AppError('INVALID_INPUT', 'no model can see', {
        reason: CANNOT_SEE_ALONE,
      })
    }
    return { content, images: [], model: input.model, cost, notice: CANNOT_SEE }
  }

  async #checkCost(speaker: Speaker, cost: number): Promise<void> {
    const limit = this.#deps.dailyLimit(speaker)
    if (limit === null) return
    const now = this.#deps.now()
    const used = await this.#deps.stores.usage.get(speaker.account.id, utcDay(now))
    const left = Math.max(0, limit - used.messages)
    if (left < cost) {
      throw new AppError('INVALID_INPUT', 'picture over quota', {
        reason: `A message with pictures counts as ${cost} messages and you have ${left} left today. Your quota resets in ${formatDuration(msUntilUtcMidnight(now))}.`,
      })
    }
  }
}
