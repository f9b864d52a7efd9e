import { BoundedMap } from '../shared/bounded-map.js'

/** What a button on one of our messages does when clicked. */
export type ButtonAction =
  | { readonly kind: 'stop'; readonly ownerId: string }
  | { readonly kind: 'regenerate' }
  | {
      readonly kind: 'command'
      readonly command: string
      readonly args: Readonly<Record<string, string>>
    }

/** Discord's limit for a component's `custom_id`. */
export const CUSTOM_ID_LIMIT = 100

/**
 * Encodes button actions into `custom_id`s. Command arguments that do not fit in 100 characters
 * are kept in a bounded in-memory table and referenced by a short key (lost on restart: the
 * click is then answered as expired).
 */
export class CustomIdCodec {
  readonly #stored: BoundedMap<string, ButtonAction>
  #counter = 0

  constructor(options: { maxStored?: number } = {}) {
    this.#stored = new BoundedMap(options.maxStored ?? 5000)
  }

  encode(action: ButtonAction): string {
    if (action.kind === 'stop') return `stop:${action.ownerId}`
    if (action.kind === 'regenerate') return 'regen'
    const inline = `cmd:${action.command}?${new URLSearchParams(action.args).toString()}`
    if (inline.length <= CUSTOM_ID_LIMIT) return inline
    this.#counter += 1
    const key = `ref:${Date.now().toString(36)}${this.#counter.toString(36)}`
    this.#stored.set(key, action)
    return key
  }

  /** The action of a `custom_id`, or null when it is unknown or expired. */
  decode(customId: string): ButtonAction | null {
    if (customId === 'regen') return { kind: 'regenerate' }
    if (customId.startsWith('stop:')) return { kind: 'stop', ownerId: customId.slice(5) }
    if (customId.startsWith('ref:')) return this.#stored.get(customId) ?? null
    if (customId.startsWith('cmd:')) {
      const rest = customId.slice(4)
      const q = rest.indexOf('?')
      const command = q === -1 ? rest : rest.slice(0, q)
      const args = Object.fromEntries(new URLSearchParams(q === -1 ? '' : rest.slice(q + 1)))
      return command ? { kind: 'command', command, args } : null
    }
    return null
  }
}
