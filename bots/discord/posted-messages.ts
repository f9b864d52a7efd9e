import type { OutgoingPart, ReplySurface } from './reply-surface.js'

/**
 * The messages one reply has posted so far and what each one last showed. `sync` makes them
 * match a new list of parts: changed ones are edited, extra ones sent, unchanged ones left alone.
 */
export class PostedMessages {
  readonly #posted: { id: string; sent: string }[] = []
  readonly #onPosted: (messageId: string) => void

  /** `onPosted` hears the id of every message sent. */
  constructor(onPosted: (messageId: string) => void) {
    this.#onPosted = onPosted
  }

  /** Sends and edits until `surface` shows `parts`; rejects with the surface's error. */
  async sync(surface: ReplySurface, parts: readonly OutgoingPart[]): Promise<void> {
    for (const [i, part] of parts.entries()) {
      const posted = this.#posted[i]
      const key = `${part.content}\u0000${JSON.stringify(part.components)}`
      if (!posted) {
        const id = await surface.send(part)
        this.#posted.push({ id, sent: key })
        this.#onPosted(id)
      } else if (posted.sent !== key) {
        await surface.edit(posted.id, part)
        posted.sent = key
      }
    }
  }
}
