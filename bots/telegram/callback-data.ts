import type { CommandDescriptor } from '../../src/core/chat-core.js'
import { BoundedMap } from '../shared/bounded-map.js'

/** Telegram's limit for `callback_data`, in bytes. */
export const CALLBACK_DATA_LIMIT = 64

export interface ButtonAction {
  readonly command: string
  readonly args: Readonly<Record<string, string>>
}

const SEPARATOR = '|'
const STORED = '#'

/**
 * Encodes button actions into `callback_data`: `command|value|value` in the order of the
 * command's options, which fits the usual `persona|luna` in a few bytes. Actions that do not
 * fit 64 bytes (or whose values contain the separator) are kept in a bounded in-memory table
 * and referenced as `#<n>`; such buttons expire when the table rolls over or the bot restarts.
 */
export class CallbackCodec {
  readonly #commands: () => readonly CommandDescriptor[]
  readonly #stored: BoundedMap<string, ButtonAction>
  #next = 1

  constructor(commands: () => readonly CommandDescriptor[], options: { capacity?: number } = {}) {
    this.#commands = commands
    this.#stored = new BoundedMap(options.capacity ?? 2_000)
  }

  encode(action: ButtonAction): string {
    const compact = this.#compact(action)
    if (compact !== undefined) return compact
    const id = `${STORED}${(this.#next++).toString(36)}`
    this.#stored.set(id, action)
    return id
  }

  /** The action behind a button, or undefined for unknown or expired data. */
  decode(data: string): ButtonAction | undefined {
    if (data.startsWith(STORED)) return this.#stored.get(data)
    const [command = '', ...values] = data.split(SEPARATOR)
    const descriptor = this.#commands().find((c) => c.name === command)
    if (!descriptor || values.length > descriptor.options.length) return undefined
    const args: Record<string, string> = {}
    values.forEach((value, i) => {
      const option = descriptor.options[i]
      if (option && value !== '') args[option.name] = value
    })
    return { command, args }
  }

  #compact(action: ButtonAction): string | undefined {
    const descriptor = this.#commands().find((c) => c.name === action.command)
    if (!descriptor) return undefined
    const names = descriptor.options.map((o) => o.name)
    if (Object.keys(action.args).some((k) => !names.includes(k))) return undefined
    const values = names.map((n) => action.args[n] ?? '')
    if (values.some((v) => v.includes(SEPARATOR))) return undefined
    while (values.length > 0 && values[values.length - 1] === '') values.pop()
    const data = [action.command, ...values].join(SEPARATOR)
    if (data.startsWith(STORED) || Buffer.byteLength(data) > CALLBACK_DATA_LIMIT) return undefined
    return data
  }
}
