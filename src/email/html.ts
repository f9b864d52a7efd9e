/** HTML that is already safe to embed; only {@link html} and {@link rawHtml} create it. */
export class SafeHtml {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

import { escapeHtml } from '../shared/html.js'

type Interpolation =
  | SafeHtml
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly Interpolation[]

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}

/**
 * Template tag that escapes every interpolated value unless it is already {@link SafeHtml},
 * so user-supplied text can never become markup.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? ''
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '')
  return new SafeHtml(out)
}

/** Marks a trusted constant string as HTML. Never pass user input. */
export function rawHtml(trusted: string): SafeHtml {
  return new SafeHtml(trusted)
}

/** A URL safe for `href`: only http(s) URLs pass, anything else (javascript:...) becomes `#`. */
export function safeHref(url: string): string {
  try {
    const u = new URL(url)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : '#'
  } catch {
    return '#'
  }
}
